using System.Buffers.Binary;
using HwFence.Hal.Checksums;
using HwFence.Heartbeat.Frames;

namespace HwFence.Heartbeat.Serial;

/// <summary>
/// How a heartbeat frame travels on a serial line:
/// <code>
///   0x00 | COBS( frame | CRC-32C(frame), 4 bytes little-endian ) | 0x00
/// </code>
/// The leading delimiter ends whatever noise preceded the frame; COBS guarantees no 0x00 inside;
/// the CRC-32C (Castagnoli, the iSCSI digest) rejects line noise cheaply before the HMAC is
/// computed — the HMAC inside still authenticates. Line budget at 19200 baud 8N1 (1920 bytes/s):
/// a full heartbeat (60 + 256 bytes of state) is 316 + 4 + 2 + 2 = 324 bytes = 169 ms of line
/// time; an empty-state heartbeat 68 bytes = 35 ms.
/// </summary>
public static class SerialFraming
{
    public const byte Delimiter = 0x00;
    public const int CrcLength = 4;

    /// <summary>Largest COBS block between delimiters (a maximal frame plus CRC, stuffed).</summary>
    public static readonly int MaxBlockLength = Cobs.MaxEncodedLength(FrameLayout.MaxFrameLength + CrcLength);

    /// <summary>Largest wire size of one frame including both delimiters.</summary>
    public static readonly int MaxWireLength = MaxBlockLength + 2;

    /// <summary>Wire size of a frame of <paramref name="frameLength"/> bytes, at most.</summary>
    public static int WireLength(int frameLength) => Cobs.MaxEncodedLength(frameLength + CrcLength) + 2;

    /// <summary>Wraps one frame for the line; returns the bytes written to <paramref name="destination"/>.</summary>
    public static int Encode(ReadOnlySpan<byte> frame, Span<byte> destination)
    {
        if (frame.Length > FrameLayout.MaxFrameLength)
        {
            throw new ArgumentException($"frame of {frame.Length} bytes exceeds {FrameLayout.MaxFrameLength}.", nameof(frame));
        }

        Span<byte> body = stackalloc byte[FrameLayout.MaxFrameLength + CrcLength];
        frame.CopyTo(body);
        BinaryPrimitives.WriteUInt32LittleEndian(body[frame.Length..], Crc32C.Compute(frame));
        body = body[..(frame.Length + CrcLength)];

        destination[0] = Delimiter;
        int n = Cobs.Encode(body, destination[1..]);
        destination[1 + n] = Delimiter;
        return n + 2;
    }
}
