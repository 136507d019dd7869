namespace HwFence.Heartbeat.Frames;

/// <summary>
/// The heartbeat frame, format version 1: one layout for LAN datagrams and serial lines. All
/// integers are big-endian (network order).
/// <code>
///   0               1               2               3
///   0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
///  +---------------------------------------------------------------+
///  |                  magic "HWHB" (0x48 57 48 42)                 |  0
///  +---------------+---------------+-------------------------------+
///  |  version = 1  |  frame type   |        payload length         |  4
///  +---------------+---------------+-------------------------------+
///  |                        cluster id (64)                        |  8
///  |                                                               |
///  +-------------------------------+-------------------------------+
///  |        sender node id         |  destination node id (0=all)  | 16
///  +-------------------------------+-------------------------------+
///  |                        incarnation (64)                       | 20
///  |                                                               |
///  +---------------------------------------------------------------+
///  |                 sequence (64), from 1, per path               | 28
///  |                                                               |
///  +---------------------------------------------------------------+
///  |            sender monotonic timestamp, microseconds (64)      | 36
///  |                                                               |
///  +---------------------------------------------------------------+
///  |  payload: heartbeat state section or message (length above)   | 44
///  +---------------------------------------------------------------+
///  |  tag: HMAC-SHA256(cluster key, bytes 0 .. 44+length-1),       | 44+length
///  |       first 16 bytes (128 bits, RFC 2104 §5 truncation)       |
///  +---------------------------------------------------------------+
/// </code>
/// The version byte sits right after the magic so that a future layout can be recognised
/// (and counted as <see cref="DropReason.WrongVersion"/>) before any other field is trusted.
/// </summary>
public static class FrameLayout
{
    /// <summary>"HWHB".</summary>
    public const uint Magic = 0x48574842;

    /// <summary>The version this build writes and accepts.</summary>
    public const byte Version = 1;

    public const int MagicOffset = 0;
    public const int VersionOffset = 4;
    public const int TypeOffset = 5;
    public const int PayloadLengthOffset = 6;
    public const int ClusterIdOffset = 8;
    public const int SenderOffset = 16;
    public const int DestinationOffset = 18;
    public const int IncarnationOffset = 20;
    public const int SequenceOffset = 28;
    public const int TimestampOffset = 36;

    /// <summary>Bytes before the payload.</summary>
    public const int HeaderLength = 44;

    /// <summary>Truncated HMAC-SHA256 tag: 128 bits, the minimum RFC 2104 §5 and NIST SP 800-107 §5.3.4 allow for this use.</summary>
    public const int TagLength = 16;

    /// <summary>Header plus tag: the size of a frame with an empty payload.</summary>
    public const int Overhead = HeaderLength + TagLength;

    /// <summary>
    /// Largest heartbeat state section: 256 bytes. Sized for the slowest line we support: a full
    /// heartbeat is 60 + 256 = 316 bytes, + 4 CRC-32C + 2 COBS overhead + 2 delimiters = 324 bytes on
    /// the wire = 3240 bit times at 8N1 (10 bits a byte) = 169 ms at 19200 baud, i.e. 17 % of the
    /// line in each direction at the default 1 s interval (and still fits at a 200 ms interval).
    /// </summary>
    public const int MaxStateLength = 256;

    /// <summary>
    /// Largest message payload: 1172 bytes, so that a whole frame (1232 bytes) plus IPv6 and UDP
    /// headers (40 + 8) fits the IPv6 minimum MTU of 1280 (RFC 8200 §5) — no IP fragmentation on
    /// any network, IPv4 or IPv6. Larger messages must be split by the caller.
    /// </summary>
    public const int MaxMessageLength = 1172;

    /// <summary>The largest frame of any type: 1232 bytes.</summary>
    public const int MaxFrameLength = Overhead + MaxMessageLength;

    /// <summary>Node ids on the wire are 16-bit; 0 means "every node" in the destination field.</summary>
    public const int MaxNodeId = ushort.MaxValue;

    /// <summary>The payload limit for a frame type.</summary>
    public static int MaxPayload(FrameType type) => type == FrameType.Heartbeat ? MaxStateLength : MaxMessageLength;
}
