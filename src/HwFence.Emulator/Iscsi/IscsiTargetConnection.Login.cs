using System.Buffers;
using System.Globalization;
using System.Text;
using HwFence.Emulator.Nexus;
using HwFence.Scsi.Iscsi.Login;
using HwFence.Scsi.Iscsi.Pdus;

namespace HwFence.Emulator.Iscsi;

internal sealed partial class IscsiTargetConnection
{

    /// <summary>
    /// The login phase (RFC 7143 §6.3): security negotiation (AuthMethod None, or CHAP when the target
    /// has credentials), operational negotiation (§13), then full feature phase. Returns false when the
    /// login failed (a Login Response with the failure status was sent) or the peer left.
    /// </summary>
    private async Task<bool> LoginAsync(CancellationToken outer)
    {
        using var timeout = new CancellationTokenSource(_options.LoginTimeout, _target.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(outer, timeout.Token);
        var ct = linked.Token;
        var text = new ArrayBufferWriter<byte>(256);
        var pairs = new List<KeyValuePair<string, string>>();
        bool first = true;
        bool declaredOurMaxRecv = false;
        bool authenticated = _options.Chap is null;
        ChapState? chap = null;
        string? sessionType = null;
        bool targetNameSeen = false;

        while (true)
        {
            IscsiPdu pdu;
            try
            {
                pdu = await ReceiveAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !outer.IsCancellationRequested)
            {
                _target.Log.Warn($"iSCSI {Who}: login did not complete within {_options.LoginTimeout.TotalSeconds:0} s; dropping the connection");
                return false;
            }

            if (pdu.Opcode != IscsiOpcode.LoginRequest)
            {
                _target.Log.Warn($"iSCSI {Who}: {IscsiOpcodeInfo.Name(pdu.Opcode)} before login completed (RFC 7143 §6.3); dropping the connection");
                return false;
            }

            var req = pdu.Read<LoginRequestHeader>();
            if (first)
            {
                first = false;
                Isid = req.Isid;
                Tsih = req.Tsih;
                _statSN = (uint)Random.Shared.Next(1, int.MaxValue); // the connection's initial StatSN (§11.13.4)
                _expCmdSN = req.CmdSN; // login does not advance CmdSN: the first command carries this one (§11.12.7)
                if (req.VersionMin > 0)
                {
                    return await FailAsync(req, IscsiLoginStatus.InitiatorError, IscsiLoginStatus.UnsupportedVersion, "it only speaks iSCSI versions above 0").ConfigureAwait(false);
                }
            }

            text.Write(pdu.Data.IsSingleSegment ? pdu.Data.FirstSpan : pdu.Data.ToArray());
            if (text.WrittenCount > IscsiTextLimits.Default.MaxTotalBytes)
            {
                return await FailAsync(req, IscsiLoginStatus.InitiatorError, 0, "its login text exceeds 64 KiB").ConfigureAwait(false);
            }

            if (req.Continue)
            {
                // More text follows (C bit, §6.1): acknowledge with an empty response and keep collecting.
                await SendLoginResponseAsync(req, transit: false, req.CurrentStage, req.CurrentStage, [], ct).ConfigureAwait(false);
                continue;
            }

            pairs.Clear();
            if (!IscsiTextParameters.TryParse(text.WrittenSpan, IscsiTextLimits.Default, pairs, out string? textError))
            {
                text.Clear();
                return await FailAsync(req, IscsiLoginStatus.InitiatorError, 0, "malformed login text: " + textError).ConfigureAwait(false);
            }

            text.Clear();
            var answer = new List<KeyValuePair<string, string>>();
            foreach (var (key, value) in pairs)
            {
                switch (key)
                {
                    case IscsiKeys.InitiatorName:
                        InitiatorName ??= value;
                        break;
                    case IscsiKeys.SessionType:
                        sessionType ??= value;
                        break;
                    case IscsiKeys.TargetName:
                        targetNameSeen = true;
                        if (value != _target.Iqn)
                        {
                            return await FailAsync(req, IscsiLoginStatus.InitiatorError, IscsiLoginStatus.NotFound, $"it asked for target {value}; this emulator serves {_target.Iqn}").ConfigureAwait(false);
                        }

                        break;
                    case IscsiKeys.InitiatorAlias or IscsiKeys.TargetAlias:
                        break;
                    case IscsiKeys.AuthMethod:
                        string method = IscsiNegotiation.Respond(key, value, _options.Chap is null ? IscsiKeys.None : "CHAP") ?? IscsiKeys.Reject;
                        answer.Add(new(key, method));
                        if (method == IscsiKeys.Reject)
                        {
                            return await FailAsync(req, IscsiLoginStatus.InitiatorError, IscsiLoginStatus.AuthenticationFailure,
                                $"it offered AuthMethod={value} but the target requires {(_options.Chap is null ? "None" : "CHAP")}", answer).ConfigureAwait(false);
                        }

                        if (method == "CHAP")
                        {
                            chap = new ChapState();
                        }

                        break;
                    case IscsiKeys.ChapAlgorithm or IscsiKeys.ChapName or IscsiKeys.ChapResponse or IscsiKeys.ChapIdentifier or IscsiKeys.ChapChallenge:
                        chap ??= new ChapState();
                        chap.Received[key] = value;
                        break;
                    case IscsiKeys.IfMarkInt or IscsiKeys.OfMarkInt:
                        // Markers are never enabled (IFMarker/OFMarker answer No), so their intervals do not apply.
                        answer.Add(new(key, IscsiKeys.Irrelevant));
                        break;
                    case IscsiKeys.MaxRecvDataSegmentLength:
                        if (!_params.TryApply(key, value, declaredByPeer: true, out string? mrdsl))
                        {
                            return await FailAsync(req, IscsiLoginStatus.InitiatorError, 0, mrdsl!).ConfigureAwait(false);
                        }

                        break;
                    default:
                        string? result = IscsiNegotiation.Respond(key, value, LocalValue(key));
                        if (result is null)
                        {
                            break;
                        }

                        answer.Add(new(key, result));
                        if (result is not (IscsiKeys.Reject or IscsiKeys.NotUnderstood or IscsiKeys.Irrelevant)
                            && !_params.TryApply(key, result, declaredByPeer: false, out string? applyError))
                        {
                            return await FailAsync(req, IscsiLoginStatus.InitiatorError, 0, applyError!).ConfigureAwait(false);
                        }

                        break;
                }
            }

            if (InitiatorName is null)
            {
                return await FailAsync(req, IscsiLoginStatus.InitiatorError, IscsiLoginStatus.MissingParameter, "it did not send InitiatorName (RFC 7143 §13.6)").ConfigureAwait(false);
            }

            IsDiscovery = sessionType == "Discovery";
            if (sessionType is not (null or "Normal" or "Discovery"))
            {
                return await FailAsync(req, IscsiLoginStatus.InitiatorError, IscsiLoginStatus.SessionTypeNotSupported, $"SessionType={sessionType} is not Normal or Discovery").ConfigureAwait(false);
            }

            if (chap is not null && !authenticated)
            {
                var outcome = chap.Step(_options.Chap!, answer, out string? chapError);
                if (outcome == ChapOutcome.Failed)
                {
                    return await FailAsync(req, IscsiLoginStatus.InitiatorError, IscsiLoginStatus.AuthenticationFailure, chapError!).ConfigureAwait(false);
                }

                authenticated = outcome == ChapOutcome.Authenticated;
            }

            bool transit = req.Transit;
            var next = req.NextStage;
            if (transit && !authenticated)
            {
                if (req.CurrentStage != LoginStage.SecurityNegotiation || chap is null)
                {
                    return await FailAsync(req, IscsiLoginStatus.InitiatorError, IscsiLoginStatus.AuthenticationFailure, "it tried to leave the security stage without authenticating (CHAP required)").ConfigureAwait(false);
                }

                transit = false; // CHAP exchange not finished: stay in the security stage
            }

            if (req.CurrentStage == LoginStage.LoginOperationalNegotiation || (transit && next >= LoginStage.LoginOperationalNegotiation))
            {
                if (!declaredOurMaxRecv)
                {
                    _params.MaxRecvDataSegmentLength = _options.MaxRecvDataSegmentLength;
                    answer.Add(new(IscsiKeys.MaxRecvDataSegmentLength, _options.MaxRecvDataSegmentLength.ToString(CultureInfo.InvariantCulture)));
                    declaredOurMaxRecv = true;
                }
            }

            bool final = transit && next == LoginStage.FullFeaturePhase;
            if (final)
            {
                if (!IsDiscovery && !targetNameSeen)
                {
                    return await FailAsync(req, IscsiLoginStatus.InitiatorError, IscsiLoginStatus.MissingParameter, "a normal session needs TargetName (RFC 7143 §13.4)").ConfigureAwait(false);
                }

                if (!IsDiscovery && !await AdmitNormalSessionAsync(req, ct).ConfigureAwait(false))
                {
                    return false;
                }

                if (Tsih == 0)
                {
                    Tsih = _server.AllocateTsih();
                }
            }

            await SendLoginResponseAsync(req, transit, req.CurrentStage, transit ? next : req.CurrentStage, answer, ct).ConfigureAwait(false);
            if (final)
            {
                EnterFullFeaturePhase();
                if (Nexus is not null)
                {
                    _target.Log.Info($"iSCSI login: {Nexus.Initiator.PortName} from {Peer}, TSIH {Tsih}, {_params}");
                }
                else
                {
                    _target.Log.Info($"iSCSI discovery login: {InitiatorName} from {Peer}");
                }

                return true;
            }
        }
    }

    /// <summary>
    /// Final checks for a normal session: the target is running, the session is new (TSIH 0; adding
    /// connections is not supported), and any older session of the same initiator port is reinstated
    /// (RFC 7143 §6.3.5: closed, which is an I_T nexus loss for it).
    /// </summary>
    private async ValueTask<bool> AdmitNormalSessionAsync(LoginRequestHeader req, CancellationToken ct)
    {
        if (_target.IsStopped)
        {
            await FailAsync(req, IscsiLoginStatus.TargetError, 1, "the target is stopped (fault injection)").ConfigureAwait(false);
            return false;
        }

        if (req.Tsih != 0)
        {
            await FailAsync(req, IscsiLoginStatus.InitiatorError, IscsiLoginStatus.SessionDoesNotExist, $"TSIH {req.Tsih} names a session this target does not have (MaxConnections=1)").ConfigureAwait(false);
            return false;
        }

        var initiator = new InitiatorPortId(InitiatorName!, Isid);
        _server.Reinstate(this, initiator);
        Nexus = _target.OpenNexus(initiator, _target.IscsiPort);
        return true;
    }

    /// <summary>Our value for an operational key (RFC 7143 §13), as the responder.</summary>
    private string LocalValue(string key) => key switch
    {
        IscsiKeys.HeaderDigest or IscsiKeys.DataDigest => "CRC32C,None",
        IscsiKeys.MaxConnections => "1",
        IscsiKeys.InitialR2T => IscsiNegotiation.FormatBoolean(_options.InitialR2T),
        IscsiKeys.ImmediateData => IscsiNegotiation.FormatBoolean(_options.ImmediateData),
        IscsiKeys.MaxBurstLength => _options.MaxBurstLength.ToString(CultureInfo.InvariantCulture),
        IscsiKeys.FirstBurstLength => _options.FirstBurstLength.ToString(CultureInfo.InvariantCulture),
        IscsiKeys.DefaultTime2Wait => "2",
        IscsiKeys.DefaultTime2Retain => "20",
        IscsiKeys.MaxOutstandingR2T => "1",
        IscsiKeys.DataPduInOrder or IscsiKeys.DataSequenceInOrder => IscsiKeys.Yes,
        IscsiKeys.ErrorRecoveryLevel => "0",
        IscsiKeys.IfMarker or IscsiKeys.OfMarker => IscsiKeys.No,
        _ => "",
    };

    private ValueTask SendLoginResponseAsync(LoginRequestHeader req, bool transit, LoginStage current, LoginStage next,
        List<KeyValuePair<string, string>> answer, CancellationToken ct, byte statusClass = 0, byte statusDetail = 0)
    {
        var header = new LoginResponseHeader(transit, false, current, next, 0, 0, Isid, transit && next == LoginStage.FullFeaturePhase ? Tsih : req.Tsih,
            req.InitiatorTaskTag, NextStatSN(), _expCmdSN, MaxCmdSN, statusClass, statusDetail);
        return SendAsync(header, answer.Count == 0 ? ReadOnlyMemory<byte>.Empty : IscsiTextParameters.Encode(answer), ct);
    }

    /// <summary>Sends a failed Login Response (§11.13.5), logs why, and ends the login.</summary>
    private async ValueTask<bool> FailAsync(LoginRequestHeader req, byte statusClass, byte statusDetail, string why,
        List<KeyValuePair<string, string>>? answer = null)
    {
        _target.Log.Warn($"iSCSI login refused for {Who}: {why} ({IscsiLoginStatus.Describe(statusClass, statusDetail)})");
        try
        {
            await SendLoginResponseAsync(req, false, req.CurrentStage, req.CurrentStage, answer ?? [], _lifetime.Token, statusClass, statusDetail).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        return false;
    }

    private enum ChapOutcome { InProgress, Authenticated, Failed }

    /// <summary>Target side of one-way CHAP (RFC 7143 §12.1.3): CHAP_A → CHAP_A, CHAP_I, CHAP_C; CHAP_N, CHAP_R → verify.</summary>
    private sealed class ChapState
    {
        private byte _identifier;
        private byte[]? _challenge;

        public Dictionary<string, string> Received { get; } = new(StringComparer.Ordinal);

        public ChapOutcome Step(IscsiTargetChap credentials, List<KeyValuePair<string, string>> answer, out string? error)
        {
            error = null;
            if (_challenge is null)
            {
                if (!Received.TryGetValue(IscsiKeys.ChapAlgorithm, out string? algorithms))
                {
                    return ChapOutcome.InProgress; // AuthMethod agreed; CHAP_A comes next
                }

                if (!algorithms.Split(',').Contains(IscsiChap.AlgorithmMd5.ToString(CultureInfo.InvariantCulture)))
                {
                    error = $"CHAP_A={algorithms} does not include MD5 (5)";
                    return ChapOutcome.Failed;
                }

                (_identifier, _challenge) = IscsiChap.CreateChallenge();
                answer.Add(new(IscsiKeys.ChapAlgorithm, "5"));
                answer.Add(new(IscsiKeys.ChapIdentifier, _identifier.ToString(CultureInfo.InvariantCulture)));
                answer.Add(new(IscsiKeys.ChapChallenge, IscsiChap.EncodeBinary(_challenge)));
                Received.Clear();
                return ChapOutcome.InProgress;
            }

            if (!Received.TryGetValue(IscsiKeys.ChapName, out string? name) || !Received.TryGetValue(IscsiKeys.ChapResponse, out string? response))
            {
                error = "CHAP_N and CHAP_R missing after the challenge";
                return ChapOutcome.Failed;
            }

            if (Received.ContainsKey(IscsiKeys.ChapChallenge))
            {
                error = "mutual CHAP is not supported by the emulator";
                return ChapOutcome.Failed;
            }

            if (!IscsiChap.TryDecodeBinary(response, out byte[] r, out string? decodeError))
            {
                error = "CHAP_R " + decodeError;
                return ChapOutcome.Failed;
            }

            if (name != credentials.UserName || !IscsiChap.Verify(_identifier, Encoding.UTF8.GetBytes(credentials.Secret), _challenge, r))
            {
                error = $"CHAP authentication of user '{name}' failed";
                return ChapOutcome.Failed;
            }

            return ChapOutcome.Authenticated;
        }
    }
}
