using System.Buffers.Binary;
using System.Text;
using HwFence.Hal.Checksums;

namespace HwFence.Rig;

/// <summary>
/// One record of the demo application, one per 512-byte block of the shared disk.
/// </summary>
/// <remarks>
/// Block layout (all integers big-endian, like SCSI's own formats):
/// <code>
///  byte 0        8       12              20              28              36    38           508    512
///       +--------+-------+---------------+---------------+---------------+-----+------------+------+
///       | magic  | node  | incarnation   | sequence      | timestamp     | len | payload …  | CRC  |
///       |"HWFDEMO1"| i32 | u64           | u64           | i64 Unix ms   | u16 | len bytes, | 32C  |
///       |        |       |               |               | UTC           |     | zero pad   |      |
///       +--------+-------+---------------+---------------+---------------+-----+------------+------+
/// </code>
/// CRC-32C (Castagnoli, <see cref="Crc32C"/>) covers bytes 0..507. The timestamp is the writer's
/// wall clock when it built the record, before it issued the WRITE: a record stamped after a
/// fence completed was necessarily sent after it.
/// </remarks>
/// <param name="NodeId">The writer's node id.</param>
/// <param name="Incarnation">The writer's boot generation.</param>
/// <param name="Sequence">The record number (1, 2, …), global across writers: a successor continues the numbering.</param>
/// <param name="Timestamp">When the writer built the record (UTC, millisecond precision).</param>
/// <param name="Payload">Application bytes, at most <see cref="MaxPayload"/>.</param>
public sealed record DemoRecord(int NodeId, ulong Incarnation, ulong Sequence, DateTimeOffset Timestamp, byte[] Payload)
{
    public const int BlockSize = 512;
    public const int MagicOffset = 0;
    public const int NodeOffset = 8;
    public const int IncarnationOffset = 12;
    public const int SequenceOffset = 20;
    public const int TimestampOffset = 28;
    public const int LengthOffset = 36;
    public const int PayloadOffset = 38;
    public const int CrcOffset = 508;
    public const int MaxPayload = CrcOffset - PayloadOffset;

    /// <summary>"HWFDEMO1" in ASCII.</summary>
    public static ReadOnlySpan<byte> Magic => "HWFDEMO1"u8;

    /// <summary>The record's CRC-32C as stored in the block (identifies its exact content in the ack log).</summary>
    public uint Crc { get; init; }

    /// <summary>Encodes into <paramref name="block"/> (≥ 512 bytes) without allocating; returns the CRC written.</summary>
    public static uint Write(Span<byte> block, int nodeId, ulong incarnation, ulong sequence, DateTimeOffset timestamp, ReadOnlySpan<byte> payload)
    {
        if (block.Length < BlockSize)
        {
            throw new ArgumentException($"record block: {block.Length} bytes given, {BlockSize} needed", nameof(block));
        }

        if (payload.Length > MaxPayload)
        {
            throw new ArgumentException($"record payload: {payload.Length} bytes, at most {MaxPayload} fit in one block", nameof(payload));
        }

        block = block[..BlockSize];
        block.Clear();
        Magic.CopyTo(block[MagicOffset..]);
        BinaryPrimitives.WriteInt32BigEndian(block[NodeOffset..], nodeId);
        BinaryPrimitives.WriteUInt64BigEndian(block[IncarnationOffset..], incarnation);
        BinaryPrimitives.WriteUInt64BigEndian(block[SequenceOffset..], sequence);
        BinaryPrimitives.WriteInt64BigEndian(block[TimestampOffset..], timestamp.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt16BigEndian(block[LengthOffset..], (ushort)payload.Length);
        payload.CopyTo(block[PayloadOffset..]);
        uint crc = Crc32C.Compute(block[..CrcOffset]);
        BinaryPrimitives.WriteUInt32BigEndian(block[CrcOffset..], crc);
        return crc;
    }

    /// <summary>
    /// Decodes one block. Never throws: returns the block's kind, the record when it is one, and
    /// for <see cref="DemoBlockKind.Corrupt"/> an error naming the field.
    /// </summary>
    public static DemoBlockKind TryRead(ReadOnlySpan<byte> block, out DemoRecord? record, out string? error)
    {
        record = null;
        error = null;
        if (block.Length < BlockSize)
        {
            error = $"block: {block.Length} bytes, a record needs {BlockSize}";
            return DemoBlockKind.Corrupt;
        }

        block = block[..BlockSize];
        if (!block[..Magic.Length].SequenceEqual(Magic))
        {
            return block.IndexOfAnyExcept((byte)0) < 0 ? DemoBlockKind.Empty : DemoBlockKind.Foreign;
        }

        ushort length = BinaryPrimitives.ReadUInt16BigEndian(block[LengthOffset..]);
        if (length > MaxPayload)
        {
            error = $"payload length field = {length}: at most {MaxPayload}";
            return DemoBlockKind.Corrupt;
        }

        uint stored = BinaryPrimitives.ReadUInt32BigEndian(block[CrcOffset..]);
        uint computed = Crc32C.Compute(block[..CrcOffset]);
        if (stored != computed)
        {
            error = $"CRC-32C field = 0x{stored:X8}, computed 0x{computed:X8} (torn or corrupted write)";
            return DemoBlockKind.Corrupt;
        }

        ulong sequence = BinaryPrimitives.ReadUInt64BigEndian(block[SequenceOffset..]);
        if (sequence == 0)
        {
            error = "sequence field = 0: records are numbered from 1";
            return DemoBlockKind.Corrupt;
        }

        record = new DemoRecord(
            BinaryPrimitives.ReadInt32BigEndian(block[NodeOffset..]),
            BinaryPrimitives.ReadUInt64BigEndian(block[IncarnationOffset..]),
            sequence,
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(block[TimestampOffset..])),
            block.Slice(PayloadOffset, length).ToArray())
        { Crc = stored };
        return DemoBlockKind.Record;
    }

    public override string ToString() =>
        $"record #{Sequence} by node {NodeId} (incarnation {Incarnation}) at {Timestamp:HH:mm:ss.fff}: {Encoding.UTF8.GetString(Payload)}";
}
