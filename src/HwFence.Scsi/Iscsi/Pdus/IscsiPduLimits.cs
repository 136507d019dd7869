namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// What the framing reader accepts on one connection: the negotiated MaxRecvDataSegmentLength (the
/// reader's own declaration, RFC 7143 §13.12), whether digests were negotiated, and which side sends.
/// </summary>
/// <param name="MaxRecvDataSegmentLength">Largest DataSegmentLength accepted; 8192 during login (§13.12 default).</param>
/// <param name="HeaderDigest">CRC32C header digest negotiated (HeaderDigest=CRC32C).</param>
/// <param name="DataDigest">CRC32C data digest negotiated (DataDigest=CRC32C).</param>
/// <param name="Source">Who sends the PDUs read (an initiator reads <see cref="IscsiPduSource.Target"/> PDUs).</param>
public readonly record struct IscsiPduLimits(int MaxRecvDataSegmentLength, bool HeaderDigest, bool DataDigest, IscsiPduSource Source)
{
    /// <summary>MaxRecvDataSegmentLength before negotiation completes (RFC 7143 §13.12: default 8192).</summary>
    public const int LoginMaxRecvDataSegmentLength = 8192;

    /// <summary>Limits during the login phase: 8192 bytes, no digests (digests start after login, §13.1).</summary>
    public static IscsiPduLimits Login(IscsiPduSource source) => new(LoginMaxRecvDataSegmentLength, false, false, source);

    /// <summary>Total bytes a PDU with these digests, AHS and data length occupies on the wire.</summary>
    public int WireLength(int totalAhsLength, int dataSegmentLength) =>
        IscsiPduWriter.GetLength(totalAhsLength, dataSegmentLength, HeaderDigest, DataDigest);
}
