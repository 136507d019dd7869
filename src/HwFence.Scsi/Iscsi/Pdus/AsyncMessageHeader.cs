using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>AsyncEvent codes (RFC 7143 §11.9.1).</summary>
public enum AsyncEvent : byte
{
    /// <summary>A SCSI asynchronous event; sense data in the data segment.</summary>
    ScsiEvent = 0,
    /// <summary>The target asks for a logout (Parameter3 = seconds to logout).</summary>
    LogoutRequested = 1,
    /// <summary>The target will drop connection Parameter1.</summary>
    ConnectionWillBeDropped = 2,
    /// <summary>The target will drop all connections of the session.</summary>
    SessionWillBeDropped = 3,
    /// <summary>The target asks for parameter renegotiation.</summary>
    RenegotiationRequested = 4,
    /// <summary>Task termination was requested.</summary>
    TaskTermination = 5,
    VendorSpecific = 255,
}

/// <summary>
/// Asynchronous Message (RFC 7143 §11.9).
/// <code>
///  0|.|.| 0x32      |1| Reserved                                     |
///  8| LUN or Reserved                                               |
/// 16| 0xFFFFFFFF                                                    |
/// 24| StatSN                                                        |
/// 28| ExpCmdSN                                                      |
/// 32| MaxCmdSN                                                      |
/// 36| AsyncEvent    | AsyncVCode    | Parameter1 or Reserved        |
/// 40| Parameter2 or Reserved        | Parameter3 or Reserved        |
/// 44| Reserved                                                      |
/// </code>
/// </summary>
public record struct AsyncMessageHeader(
    ulong Lun, uint StatSN, uint ExpCmdSN, uint MaxCmdSN, AsyncEvent AsyncEvent, byte AsyncVCode,
    ushort Parameter1, ushort Parameter2, ushort Parameter3)
    : IIscsiHeader<AsyncMessageHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.AsyncMessage;

    public static AsyncMessageHeader Read(ReadOnlySpan<byte> bhs) => new(
        ReadUInt64(bhs, 8), ReadUInt32(bhs, 24), ReadUInt32(bhs, 28), ReadUInt32(bhs, 32), (AsyncEvent)bhs[36], bhs[37],
        ReadUInt16(bhs, 38), ReadUInt16(bhs, 40), ReadUInt16(bhs, 42));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, false, FinalBit);
        WriteUInt64(bhs, 8, Lun);
        WriteUInt32(bhs, 16, ReservedTag);
        WriteUInt32(bhs, 24, StatSN);
        WriteUInt32(bhs, 28, ExpCmdSN);
        WriteUInt32(bhs, 32, MaxCmdSN);
        bhs[36] = (byte)AsyncEvent;
        bhs[37] = AsyncVCode;
        WriteUInt16(bhs, 38, Parameter1);
        WriteUInt16(bhs, 40, Parameter2);
        WriteUInt16(bhs, 42, Parameter3);
    }
}
