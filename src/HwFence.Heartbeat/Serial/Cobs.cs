namespace HwFence.Heartbeat.Serial;

/// <summary>
/// Consistent Overhead Byte Stuffing (S. Cheshire, M. Baker, "Consistent Overhead Byte Stuffing",
/// IEEE/ACM Transactions on Networking 7(2), 1999): removes every 0x00 from a block at a cost of at
/// most one byte per 254, so 0x00 can delimit frames on a byte stream and a receiver that lost
/// bytes or joined mid-frame resynchronises at the next 0x00.
/// </summary>
public static class Cobs
{
    /// <summary>Largest encoding of <paramref name="length"/> bytes: one code byte per started 254-byte run, plus the first.</summary>
    public static int MaxEncodedLength(int length) => length + (length / 254) + 1;

    /// <summary>Encodes <paramref name="source"/> (no delimiters) into <paramref name="destination"/>; returns the length.</summary>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < MaxEncodedLength(source.Length))
        {
            throw new ArgumentException($"COBS buffer of {destination.Length} bytes is too small for {source.Length} bytes.", nameof(destination));
        }

        int codeAt = 0;
        int write = 1;
        byte code = 1;
        foreach (byte b in source)
        {
            if (b == 0)
            {
                destination[codeAt] = code;
                codeAt = write++;
                code = 1;
                continue;
            }

            destination[write++] = b;
            if (++code == 0xFF)
            {
                destination[codeAt] = code;
                codeAt = write++;
                code = 1;
            }
        }

        destination[codeAt] = code;
        return write;
    }

    /// <summary>
    /// Decodes in place (the output is never longer than the input). Returns the decoded length, or
    /// -1 when the block is not valid COBS (a zero byte inside, a code running past the end).
    /// </summary>
    public static int DecodeInPlace(Span<byte> block)
    {
        int read = 0;
        int write = 0;
        while (read < block.Length)
        {
            int code = block[read++];
            if (code == 0 || read + code - 1 > block.Length)
            {
                return -1;
            }

            ReadOnlySpan<byte> run = block.Slice(read, code - 1);
            if (run.Contains((byte)0))
            {
                return -1;
            }

            run.CopyTo(block[write..]); // overlapping copy towards lower addresses: memmove semantics
            write += run.Length;
            read += run.Length;
            if (code != 0xFF && read < block.Length)
            {
                block[write++] = 0;
            }
        }

        return write;
    }
}
