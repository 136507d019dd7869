using System.Buffers.Binary;
using HwFence.Hal.Checksums;
using HwFence.Scsi;

namespace HwFence.Heartbeat.DrivePulse;

/// <summary>
/// The disk-slot area, sbd-style: block 0 (at <see cref="DrivePulseOptions.SlotAreaLba"/>) holds the
/// header, block n holds node n's slot. One block per slot so that a node's write never shares a
/// block (and so a read-modify-write) with another node's. Big-endian; the rest of each block is zero.
/// <code>
/// header block                              slot block (node n)
///  0  magic "HWFSLOTS"            (8)        0  magic "HWSL"                 (4)
///  8  layout version = 1          (4)        4  node id                      (2)
/// 12  slot count                  (4)        6  reserved                     (2)
/// 16  cluster id                  (8)        8  cluster id                   (8)
/// 24  block size                  (4)       16  incarnation                  (8)
/// 28  interval, ms                (4)       24  counter                      (8)
/// 32  deadtime, ms                (4)       32  timestamp, µs                (8)
/// 36  reserved (zero)            (24)       40  reserved (zero)             (20)
/// 60  CRC-32C of bytes 0..59      (4)       60  CRC-32C of bytes 0..59       (4)
/// </code>
/// The CRC catches a torn or stale block; all accesses bypass caches (WRITE/READ with FUA, SBC-3 §5.32,
/// §5.11, plus SYNCHRONIZE CACHE after initialisation).
/// </summary>
public static class DiskSlotLayout
{
    public const ulong HeaderMagic = 0x4857_4653_4C4F_5453; // "HWFSLOTS"
    public const uint SlotMagic = 0x4857_534C;              // "HWSL"
    public const uint Version = 1;
    public const int RecordLength = 64;
    private const int CrcOffset = 60;

    /// <summary>Most slots an area holds: 255 nodes = 256 blocks (128 KiB at 512-byte blocks).</summary>
    public const int MaxSlots = 255;

    public static void WriteHeader(Span<byte> block, DiskSlotHeader h)
    {
        block.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(block, HeaderMagic);
        BinaryPrimitives.WriteUInt32BigEndian(block[8..], Version);
        BinaryPrimitives.WriteUInt32BigEndian(block[12..], (uint)h.SlotCount);
        BinaryPrimitives.WriteUInt64BigEndian(block[16..], h.ClusterId);
        BinaryPrimitives.WriteUInt32BigEndian(block[24..], (uint)h.BlockSize);
        BinaryPrimitives.WriteUInt32BigEndian(block[28..], (uint)h.Interval.TotalMilliseconds);
        BinaryPrimitives.WriteUInt32BigEndian(block[32..], (uint)h.Deadtime.TotalMilliseconds);
        SealCrc(block);
    }

    /// <summary>Parses a header block; false with the reason when it is not a valid HwFence slot header.</summary>
    public static bool TryParseHeader(ReadOnlySpan<byte> block, out DiskSlotHeader? header, out string? error)
    {
        header = null;
        if (block.Length < RecordLength || BinaryPrimitives.ReadUInt64BigEndian(block) != HeaderMagic)
        {
            error = "no HwFence slot header (magic \"HWFSLOTS\" missing)";
            return false;
        }

        if (!CrcMatches(block))
        {
            error = "slot header CRC-32C mismatch (torn write or overwritten)";
            return false;
        }

        uint version = BinaryPrimitives.ReadUInt32BigEndian(block[8..]);
        if (version != Version)
        {
            error = $"slot layout version {version}, this build reads version {Version}";
            return false;
        }

        uint slots = BinaryPrimitives.ReadUInt32BigEndian(block[12..]);
        if (slots is 0 or > MaxSlots)
        {
            error = $"slot count {slots} out of range 1–{MaxSlots}";
            return false;
        }

        header = new DiskSlotHeader(
            BinaryPrimitives.ReadUInt64BigEndian(block[16..]),
            (int)slots,
            (int)BinaryPrimitives.ReadUInt32BigEndian(block[24..]),
            TimeSpan.FromMilliseconds(BinaryPrimitives.ReadUInt32BigEndian(block[28..])),
            TimeSpan.FromMilliseconds(BinaryPrimitives.ReadUInt32BigEndian(block[32..])));
        error = null;
        return true;
    }

    public static void WriteSlot(Span<byte> block, in DiskSlot s)
    {
        block.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(block, SlotMagic);
        BinaryPrimitives.WriteUInt16BigEndian(block[4..], (ushort)s.NodeId);
        BinaryPrimitives.WriteUInt64BigEndian(block[8..], s.ClusterId);
        BinaryPrimitives.WriteUInt64BigEndian(block[16..], s.Incarnation);
        BinaryPrimitives.WriteUInt64BigEndian(block[24..], s.Counter);
        BinaryPrimitives.WriteInt64BigEndian(block[32..], s.TimestampMicros);
        SealCrc(block);
    }

    /// <summary>Parses a slot block: false for a never-written (zero) or damaged slot.</summary>
    public static bool TryParseSlot(ReadOnlySpan<byte> block, out DiskSlot slot)
    {
        slot = default;
        if (block.Length < RecordLength || BinaryPrimitives.ReadUInt32BigEndian(block) != SlotMagic || !CrcMatches(block))
        {
            return false;
        }

        slot = new DiskSlot(
            BinaryPrimitives.ReadUInt16BigEndian(block[4..]),
            BinaryPrimitives.ReadUInt64BigEndian(block[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(block[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(block[24..]),
            BinaryPrimitives.ReadInt64BigEndian(block[32..]));
        return true;
    }

    /// <summary>
    /// <c>hwfence disk init</c>: writes the header and zeroes every slot (FUA, then SYNCHRONIZE CACHE).
    /// Refuses a disk that already carries a slot header unless <paramref name="force"/>: re-initialising
    /// a live cluster's disk would wipe its pulse.
    /// </summary>
    public static async Task InitializeAsync(ScsiDevice device, ulong areaLba, DiskSlotHeader header, bool force, CancellationToken cancellationToken = default)
    {
        if (header.SlotCount is < 1 or > MaxSlots)
        {
            throw new ArgumentOutOfRangeException(nameof(header), $"slot count {header.SlotCount} must be 1–{MaxSlots}.");
        }

        int blockSize = await BlockSizeAsync(device, cancellationToken).ConfigureAwait(false);
        if (blockSize != header.BlockSize)
        {
            throw new ArgumentException($"header block size {header.BlockSize} differs from the disk's {blockSize}.", nameof(header));
        }

        var block = new byte[blockSize];
        if (!force)
        {
            await Check(device.TryReadAsync(areaLba, 1, block, fua: true, cancellationToken: cancellationToken), device).ConfigureAwait(false);
            if (TryParseHeader(block, out var existing, out _))
            {
                throw new DrivePulseException(
                    $"disk {device.Address} already carries an HwFence slot area (cluster {existing!.ClusterId:x16}, {existing.SlotCount} slots); " +
                    "re-initialising wipes every node's pulse — stop the cluster on this disk and use --force if you mean it.");
            }
        }

        var area = new byte[(header.SlotCount + 1) * blockSize];
        WriteHeader(area, header);
        await Check(device.TryWriteAsync(areaLba, header.SlotCount + 1, area, fua: true, cancellationToken: cancellationToken), device).ConfigureAwait(false);
        await Check(device.TrySynchronizeCacheAsync(cancellationToken: cancellationToken), device).ConfigureAwait(false);
    }

    /// <summary>Reads and checks the header for <paramref name="clusterId"/>; throws <see cref="DrivePulseException"/> naming the remedy.</summary>
    public static async Task<DiskSlotHeader> ReadHeaderAsync(ScsiDevice device, ulong areaLba, ulong clusterId, CancellationToken cancellationToken = default)
    {
        int blockSize = await BlockSizeAsync(device, cancellationToken).ConfigureAwait(false);
        var block = new byte[blockSize];
        await Check(device.TryReadAsync(areaLba, 1, block, fua: true, cancellationToken: cancellationToken), device).ConfigureAwait(false);
        if (!TryParseHeader(block, out var header, out string? error))
        {
            throw new DrivePulseException($"disk {device.Address} is not initialised for the disk-slot pulse at LBA {areaLba}: {error}. " +
                                          $"Run `hwfence disk init {device.Address}` once, from one node.");
        }

        if (header!.ClusterId != clusterId)
        {
            throw new DrivePulseException($"disk {device.Address} belongs to cluster {header.ClusterId:x16}, not this cluster ({clusterId:x16}); " +
                                          "check the device name — writing another cluster's slots would corrupt its pulse.");
        }

        if (header.BlockSize != blockSize)
        {
            throw new DrivePulseException($"disk {device.Address} was initialised with {header.BlockSize}-byte blocks but now reports {blockSize}; re-initialise it.");
        }

        return header;
    }

    internal static async Task<int> BlockSizeAsync(ScsiDevice device, CancellationToken cancellationToken)
    {
        if (device.BlockLength is { } known)
        {
            return (int)known;
        }

        await device.ReadCapacityAsync(cancellationToken).ConfigureAwait(false);
        return (int)(device.BlockLength ?? throw new DrivePulseException($"disk {device.Address}: READ CAPACITY gave no block length."));
    }

    internal static async Task Check(ValueTask<ScsiOutcome> command, ScsiDevice device)
    {
        var outcome = await command.ConfigureAwait(false);
        if (!outcome.IsGood)
        {
            throw new DrivePulseException($"{outcome} — {ScsiCommandException.Remedy(outcome)}");
        }
    }

    private static void SealCrc(Span<byte> block) =>
        BinaryPrimitives.WriteUInt32BigEndian(block[CrcOffset..], Crc32C.Compute(block[..CrcOffset]));

    private static bool CrcMatches(ReadOnlySpan<byte> block) =>
        BinaryPrimitives.ReadUInt32BigEndian(block[CrcOffset..]) == Crc32C.Compute(block[..CrcOffset]);
}
