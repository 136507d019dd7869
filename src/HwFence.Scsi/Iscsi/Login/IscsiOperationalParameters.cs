using System.Globalization;

namespace HwFence.Scsi.Iscsi.Login;

/// <summary>
/// The operational parameters in force on a session/connection once login negotiation is done
/// (RFC 7143 §13). Starts at the RFC defaults; <see cref="TryApply"/> sets one negotiated result.
/// Shared by the initiator and the emulator's target.
/// </summary>
public sealed class IscsiOperationalParameters
{
    /// <summary>HeaderDigest=CRC32C in force (default None, §13.1).</summary>
    public bool HeaderDigest { get; set; }

    /// <summary>DataDigest=CRC32C in force (default None, §13.1).</summary>
    public bool DataDigest { get; set; }

    /// <summary>MaxConnections (default 1, §13.2).</summary>
    public int MaxConnections { get; set; } = 1;

    /// <summary>InitialR2T (default Yes, §13.10): unsolicited Data-Out PDUs are not allowed when Yes.</summary>
    public bool InitialR2T { get; set; } = true;

    /// <summary>ImmediateData (default Yes, §13.11): data may ride in the SCSI Command PDU.</summary>
    public bool ImmediateData { get; set; } = true;

    /// <summary>What this side declared it receives per PDU (default 8192, §13.12).</summary>
    public int MaxRecvDataSegmentLength { get; set; } = 8192;

    /// <summary>What the peer declared it receives per PDU: the most we may send in one (default 8192).</summary>
    public int PeerMaxRecvDataSegmentLength { get; set; } = 8192;

    /// <summary>MaxBurstLength (default 262144, §13.13).</summary>
    public int MaxBurstLength { get; set; } = 262144;

    /// <summary>FirstBurstLength (default 65536, §13.14): most unsolicited bytes (immediate + Data-Out).</summary>
    public int FirstBurstLength { get; set; } = 65536;

    /// <summary>DefaultTime2Wait in seconds (default 2, §13.15): wait before reconnecting after a drop.</summary>
    public int DefaultTime2Wait { get; set; } = 2;

    /// <summary>DefaultTime2Retain in seconds (default 20, §13.16).</summary>
    public int DefaultTime2Retain { get; set; } = 20;

    /// <summary>MaxOutstandingR2T (default 1, §13.17).</summary>
    public int MaxOutstandingR2T { get; set; } = 1;

    /// <summary>DataPDUInOrder (default Yes, §13.18).</summary>
    public bool DataPduInOrder { get; set; } = true;

    /// <summary>DataSequenceInOrder (default Yes, §13.19).</summary>
    public bool DataSequenceInOrder { get; set; } = true;

    /// <summary>ErrorRecoveryLevel (default 0, §13.20).</summary>
    public int ErrorRecoveryLevel { get; set; }

    /// <summary>
    /// Records one negotiated result. <paramref name="declaredByPeer"/> says whose declaration a declarative
    /// MaxRecvDataSegmentLength is. Returns false with an error for a value out of range; keys that are not
    /// operational parameters are ignored (true).
    /// </summary>
    public bool TryApply(string key, string value, bool declaredByPeer, out string? error)
    {
        error = null;
        if (!IscsiKeys.TryGet(key, out var def))
        {
            return true;
        }

        long n = 0;
        bool b = false;
        bool numeric = def.Kind is IscsiKeyKind.NumericMin or IscsiKeyKind.NumericMax || key == IscsiKeys.MaxRecvDataSegmentLength;
        if (numeric && !IscsiNegotiation.TryParseNumber(def, value, out n))
        {
            error = $"{key}={value} is not a number in [{def.Min}, {def.Max}]";
            return false;
        }

        if (def.Kind is IscsiKeyKind.BooleanAnd or IscsiKeyKind.BooleanOr && !IscsiNegotiation.TryParseBoolean(value, out b))
        {
            error = $"{key}={value} is not Yes or No";
            return false;
        }

        int i = (int)n;
        switch (key)
        {
            case IscsiKeys.HeaderDigest: HeaderDigest = value == IscsiKeys.Crc32C; break;
            case IscsiKeys.DataDigest: DataDigest = value == IscsiKeys.Crc32C; break;
            case IscsiKeys.MaxConnections: MaxConnections = i; break;
            case IscsiKeys.InitialR2T: InitialR2T = b; break;
            case IscsiKeys.ImmediateData: ImmediateData = b; break;
            case IscsiKeys.MaxRecvDataSegmentLength:
                if (declaredByPeer)
                {
                    PeerMaxRecvDataSegmentLength = i;
                }
                else
                {
                    MaxRecvDataSegmentLength = i;
                }

                break;
            case IscsiKeys.MaxBurstLength: MaxBurstLength = i; break;
            case IscsiKeys.FirstBurstLength: FirstBurstLength = i; break;
            case IscsiKeys.DefaultTime2Wait: DefaultTime2Wait = i; break;
            case IscsiKeys.DefaultTime2Retain: DefaultTime2Retain = i; break;
            case IscsiKeys.MaxOutstandingR2T: MaxOutstandingR2T = i; break;
            case IscsiKeys.DataPduInOrder: DataPduInOrder = b; break;
            case IscsiKeys.DataSequenceInOrder: DataSequenceInOrder = b; break;
            case IscsiKeys.ErrorRecoveryLevel: ErrorRecoveryLevel = i; break;
        }

        // FirstBurstLength MUST NOT exceed MaxBurstLength (§13.14).
        if (FirstBurstLength > MaxBurstLength)
        {
            FirstBurstLength = MaxBurstLength;
        }

        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"HeaderDigest={(HeaderDigest ? "CRC32C" : "None")} DataDigest={(DataDigest ? "CRC32C" : "None")} MaxRecvDSL={MaxRecvDataSegmentLength}/peer {PeerMaxRecvDataSegmentLength} FirstBurst={FirstBurstLength} MaxBurst={MaxBurstLength} ImmediateData={ImmediateData} InitialR2T={InitialR2T} T2W={DefaultTime2Wait} T2R={DefaultTime2Retain}");
}
