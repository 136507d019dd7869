using HwFence.Scsi;

namespace HwFence.Rig;

/// <summary>Reads the whole record region of the shared disk (the checker's and a successor's view).</summary>
public static class DemoRecordReader
{
    /// <summary>Blocks per READ: 64 KiB, well under every target's maximum transfer length.</summary>
    public const int ChunkBlocks = 128;

    /// <summary>Reads every block of <paramref name="region"/>; a failed READ throws naming the device and blocks.</summary>
    public static async ValueTask<DiskRecordScan> ScanAsync(ScsiDevice device, RecordRegion region, CancellationToken cancellationToken = default)
    {
        var records = new List<(ulong, DemoRecord)>();
        var problems = new List<(ulong, DemoBlockKind, string)>();
        byte[] buffer = new byte[ChunkBlocks * DemoRecord.BlockSize];
        for (int done = 0; done < region.BlockCount; done += ChunkBlocks)
        {
            int blocks = Math.Min(ChunkBlocks, region.BlockCount - done);
            ulong lba = region.FirstLba + (ulong)done;
            ScsiOutcome outcome = await device.TryReadAsync(lba, blocks, buffer.AsMemory(0, blocks * DemoRecord.BlockSize), fua: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!outcome.IsGood)
            {
                throw new IOException($"{outcome} — reading record blocks {lba}..{lba + (ulong)blocks - 1} failed; the record region cannot be checked");
            }

            for (int i = 0; i < blocks; i++)
            {
                ReadOnlySpan<byte> block = buffer.AsSpan(i * DemoRecord.BlockSize, DemoRecord.BlockSize);
                switch (DemoRecord.TryRead(block, out DemoRecord? record, out string? error))
                {
                    case DemoBlockKind.Record:
                        records.Add((lba + (ulong)i, record!));
                        break;
                    case DemoBlockKind.Corrupt:
                        problems.Add((lba + (ulong)i, DemoBlockKind.Corrupt, error!));
                        break;
                    case DemoBlockKind.Foreign:
                        problems.Add((lba + (ulong)i, DemoBlockKind.Foreign, "neither a demo record nor zeros"));
                        break;
                }
            }
        }

        return new DiskRecordScan(records, problems);
    }
}
