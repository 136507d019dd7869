using System.Globalization;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Iscsi.Initiator;
using HwFence.Scsi.Iscsi.Login;
using HwFence.Scsi.Iscsi.Pdus;

namespace HwFence.Scsi.Iscsi;

/// <summary>
/// The built-in iSCSI initiator (RFC 7143) as an <see cref="IScsiTransport"/> for one logical unit:
/// <c>iscsi://host[:port]/&lt;target-iqn&gt;/&lt;lun&gt;</c>. Open with
/// <see cref="ConnectAsync(string, int, string, int, IscsiInitiatorOptions?, CancellationToken)"/>.
/// <para>
/// One transport is one session (one TCP connection). Commands may be issued concurrently (tags and
/// CmdSN window handled here). When the connection drops, commands in flight fail with
/// <see cref="ScsiTransportError.ConnectionLost"/>, the transport logs in again with the same initiator
/// name and ISID, increments <see cref="NexusGeneration"/> and raises <see cref="NexusReplaced"/>: the
/// new I_T nexus holds no SPC-2 reservation, and a target may have reported UNIT ATTENTION conditions.
/// </para>
/// <para>
/// The reservation identity is (<see cref="IscsiInitiatorOptions.InitiatorName"/>, ISID): give each
/// node its own name, and do not open two transports with the same name and ISID to one target at once
/// (the target would reinstate one session over the other).
/// </para>
/// </summary>
public sealed class IscsiTransport : IScsiTransport, IScsiTaskManagement
{
    /// <summary>The IANA port for iSCSI (RFC 7143 §13.3 of TargetAddress).</summary>
    public const int DefaultPort = 3260;

    private readonly IscsiSession _session;
    private readonly ulong _lunField;

    private IscsiTransport(IscsiSession session, string address, string host, int port, string targetIqn, int lun, IscsiInitiatorOptions options)
    {
        _session = session;
        Address = address;
        Host = host;
        Port = port;
        TargetIqn = targetIqn;
        Lun = lun;
        Options = options;
        _lunField = IscsiLun.Encode(lun);
        _session.NexusReplaced += g => NexusReplaced?.Invoke(g);
    }

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/>, logs in to <paramref name="targetIqn"/>
    /// (CHAP if <see cref="IscsiInitiatorOptions.Chap"/> is set) and returns a transport for
    /// <paramref name="lun"/>. Throws <see cref="ScsiTransportException"/>: ConnectionLost (cannot connect),
    /// PermissionDenied (authentication/authorization refused), DeviceMissing (no such target),
    /// Timeout (login took longer than <see cref="IscsiInitiatorOptions.LoginTimeout"/>), Protocol.
    /// </summary>
    public static async Task<IscsiTransport> ConnectAsync(
        string host, int port, string targetIqn, int lun, IscsiInitiatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentException.ThrowIfNullOrEmpty(targetIqn);
        ArgumentOutOfRangeException.ThrowIfNegative(lun);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lun, 0x3FFF);
        options ??= new IscsiInitiatorOptions();
        IscsiInitiatorOptionsValidator.ThrowIfInvalid(options);
        string address = FormatAddress(host, port, targetIqn, lun);
        var session = new IscsiSession(host, port, targetIqn, options, address);
        try
        {
            await session.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new IscsiTransport(session, address, host, port, targetIqn, lun, options);
    }

    /// <summary>
    /// Lists the targets a portal offers (a Discovery session with SendTargets=All, RFC 7143 §12.3,
    /// Appendix C), then logs out.
    /// </summary>
    public static Task<IReadOnlyList<IscsiDiscoveredTarget>> DiscoverAsync(
        string host, int port = DefaultPort, IscsiInitiatorOptions? options = null, CancellationToken cancellationToken = default) =>
        IscsiDiscovery.SendTargetsAsync(host, port, options ?? new IscsiInitiatorOptions(), cancellationToken);

    /// <summary>The canonical device address, <c>iscsi://host:port/iqn/lun</c>.</summary>
    public static string FormatAddress(string host, int port, string targetIqn, int lun) =>
        string.Create(CultureInfo.InvariantCulture, $"iscsi://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}/{targetIqn}/{lun}");

    /// <inheritdoc/>
    public string Address { get; }

    public string Host { get; }

    public int Port { get; }

    public string TargetIqn { get; }

    public int Lun { get; }

    /// <summary>The options this transport was opened with (initiator name, ISID, timeouts).</summary>
    public IscsiInitiatorOptions Options { get; }

    /// <summary>The ISID in use (the same after every reconnect).</summary>
    public ulong Isid => Options.EffectiveIsid;

    /// <summary>The SCSI initiator port name, as targets show it: <c>name,i,0xISID</c> (RFC 7143 §10.1).</summary>
    public string InitiatorPortName => string.Create(CultureInfo.InvariantCulture, $"{Options.InitiatorName},i,0x{Isid:x12}");

    /// <summary>Parameters negotiated at the most recent login.</summary>
    public IscsiOperationalParameters Parameters => _session.Parameters;

    /// <summary>The target's alias from the most recent login, if it sent one.</summary>
    public string? TargetAlias => _session.TargetAlias;

    /// <summary>True while logged in (false while reconnecting).</summary>
    public bool IsConnected => _session.IsConnected;

    /// <summary>Our keepalive NOP-Outs the target answered.</summary>
    internal long KeepalivesAnswered => _session.KeepalivesAnswered;

    /// <summary>Target NOP-In pings this initiator answered.</summary>
    internal long TargetPingsAnswered => _session.TargetPingsAnswered;

    /// <inheritdoc/>
    public long NexusGeneration => _session.NexusGeneration;

    /// <inheritdoc/>
    public event Action<long>? NexusReplaced;

    /// <inheritdoc/>
    public ValueTask<ScsiCommandResult> ExecuteAsync(
        ReadOnlyMemory<byte> cdb, DataDirection direction, Memory<byte> data, Memory<byte> sense, TimeSpan timeout,
        CancellationToken cancellationToken = default) =>
        _session.ExecuteAsync(_lunField, cdb, direction, data, sense, timeout, cancellationToken);

    /// <summary>LOGICAL UNIT RESET (RFC 7143 §11.5.1, SAM-5 §7.7): aborts every task on the LU and clears SPC-2 reservations.</summary>
    public Task<TaskManagementResponse> LogicalUnitResetAsync(CancellationToken cancellationToken = default) =>
        _session.TaskManagementAsync(TaskManagementFunction.LogicalUnitReset, _lunField, BasicHeaderSegment.ReservedTag, 0, cancellationToken);

    /// <summary>TARGET WARM RESET (RFC 7143 §11.5.1): resets every LU of the target; other sessions see UNIT ATTENTION.</summary>
    public Task<TaskManagementResponse> TargetWarmResetAsync(CancellationToken cancellationToken = default) =>
        _session.TaskManagementAsync(TaskManagementFunction.TargetWarmReset, 0, BasicHeaderSegment.ReservedTag, 0, cancellationToken);

    /// <inheritdoc/>
    async Task IScsiTaskManagement.LogicalUnitResetAsync(CancellationToken cancellationToken) =>
        ThrowUnlessComplete("LOGICAL UNIT RESET", await LogicalUnitResetAsync(cancellationToken).ConfigureAwait(false));

    /// <inheritdoc/>
    async Task IScsiTaskManagement.TargetResetAsync(CancellationToken cancellationToken) =>
        ThrowUnlessComplete("TARGET WARM RESET", await TargetWarmResetAsync(cancellationToken).ConfigureAwait(false));

    private void ThrowUnlessComplete(string function, TaskManagementResponse response)
    {
        if (response != TaskManagementResponse.FunctionComplete)
        {
            var error = response is TaskManagementResponse.FunctionNotSupported or TaskManagementResponse.FunctionRejected
                ? ScsiTransportError.NotSupported
                : ScsiTransportError.Protocol;
            throw new ScsiTransportException(Address, error,
                $"{function} answered {response} (RFC 7143 §11.6.1) — the target does not let this initiator reset it; use another fencing method");
        }
    }

    /// <summary>ABORT TASK for the task with <paramref name="initiatorTaskTag"/> (used internally for timed-out commands).</summary>
    internal Task<TaskManagementResponse> AbortTaskAsync(uint initiatorTaskTag, uint referencedCmdSN, CancellationToken cancellationToken = default) =>
        _session.TaskManagementAsync(TaskManagementFunction.AbortTask, _lunField, initiatorTaskTag, referencedCmdSN, cancellationToken);

    /// <summary>Logs out (close session) and closes the connection.</summary>
    public ValueTask DisposeAsync() => _session.DisposeAsync();

    /// <inheritdoc/>
    public override string ToString() => Address;
}
