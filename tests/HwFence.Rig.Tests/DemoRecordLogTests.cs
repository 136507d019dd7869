using System.Text;

namespace HwFence.Rig.Tests;

/// <summary>The demo application's writer against the emulated shared disk.</summary>
public sealed class DemoRecordLogTests
{
    [Fact]
    public async Task Appends_are_written_in_their_own_block_and_acknowledged_after_good()
    {
        await using var rig = new EmulatedRig();
        var acks = new MemoryAckLog();
        DemoRecordLog log = rig.Log(1, 1, acks);
        Assert.Equal(1UL, await log.ResumeAsync());
        for (int i = 1; i <= 5; i++)
        {
            DemoAppendResult r = await log.AppendAsync(Encoding.UTF8.GetBytes($"record {i}"));
            Assert.True(r.IsAcknowledged, r.Message);
            Assert.Equal((ulong)i, r.Sequence);
            Assert.Equal(EmulatedRig.Region.FirstLba + (ulong)i - 1, r.Lba);
        }

        DiskRecordScan scan = await rig.ScanAsync();
        Assert.Equal(5, scan.Records.Count);
        Assert.Empty(scan.Problems);
        Assert.Equal(acks.Lines.Select(a => (a.Sequence, a.Crc, a.Lba)), scan.Records.Select(r => (r.Record.Sequence, r.Record.Crc, r.Lba)));
        Assert.Equal("record 3", Encoding.UTF8.GetString(scan.Records[2].Record.Payload));
    }

    [Fact]
    public async Task Reservation_conflict_is_the_fenced_outcome_and_is_never_acknowledged()
    {
        await using var rig = new EmulatedRig();
        var acks = new MemoryAckLog();
        await rig.UnfenceAsync(1);
        DemoRecordLog primary = rig.Log(1, 1, acks);
        await primary.ResumeAsync();
        Assert.True((await primary.AppendAsync("a"u8.ToArray())).IsAcknowledged);

        await rig.FenceAsync(2, 1);                  // SCSI-3 PREEMPT AND ABORT of node 1's key

        DemoAppendResult fenced = await primary.AppendAsync("b"u8.ToArray());
        Assert.Equal(DemoAppendOutcome.Fenced, fenced.Outcome);
        Assert.Contains("RESERVATION CONFLICT", fenced.Message);
        Assert.Contains("node 1 was fenced", fenced.Message);
        Assert.True(primary.IsFenced);
        Assert.Single(acks.Lines);

        DemoAppendResult again = await primary.AppendAsync("c"u8.ToArray());
        Assert.Equal(DemoAppendOutcome.Fenced, again.Outcome);
        Assert.Single((await rig.ScanAsync()).Records);
    }

    [Fact]
    public async Task Successor_resumes_after_the_highest_record_on_the_disk()
    {
        await using var rig = new EmulatedRig();
        var acks1 = new MemoryAckLog();
        DemoRecordLog primary = rig.Log(1, 1, acks1);
        await primary.ResumeAsync();
        for (int i = 0; i < 3; i++)
        {
            await primary.AppendAsync("p"u8.ToArray());
        }

        var acks2 = new MemoryAckLog();
        DemoRecordLog backup = rig.Log(2, 1, acks2);
        Assert.Equal(4UL, await backup.ResumeAsync());
        DemoAppendResult r = await backup.AppendAsync("b"u8.ToArray());
        Assert.Equal(4UL, r.Sequence);
        Assert.Equal([1, 1, 1, 2], (await rig.ScanAsync()).Records.Select(x => x.Record.NodeId));
    }

    [Fact]
    public async Task Full_region_is_reported_not_overwritten()
    {
        await using var rig = new EmulatedRig();
        var acks = new MemoryAckLog();
        var log = new DemoRecordLog(rig.NodeDevice(1), new RecordRegion(64, 2), 1, 1, acks, rig.Clock);
        await log.ResumeAsync();
        Assert.True((await log.AppendAsync("1"u8.ToArray())).IsAcknowledged);
        Assert.True((await log.AppendAsync("2"u8.ToArray())).IsAcknowledged);
        DemoAppendResult full = await log.AppendAsync("3"u8.ToArray());
        Assert.Equal(DemoAppendOutcome.RegionFull, full.Outcome);
        Assert.Contains("is full at record #3", full.Message);
    }

    [Fact]
    public async Task File_ack_log_is_json_lines_readable_by_the_checker()
    {
        string path = Path.Combine(Path.GetTempPath(), $"hwfence-acks-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using var rig = new EmulatedRig();
            using (var file = new FileAckLog(path))
            {
                var log = new DemoRecordLog(rig.NodeDevice(1), EmulatedRig.Region, 1, 4, file, rig.Clock);
                await log.ResumeAsync();
                await log.AppendAsync("x"u8.ToArray());
                await log.AppendAsync("y"u8.ToArray());
            }

            using var reader = new StreamReader(path);
            (List<AckLine> acks, List<string> errors) = AckLine.ReadAll(reader, path);
            Assert.Empty(errors);
            Assert.Equal([1UL, 2UL], acks.Select(a => a.Sequence));
            Assert.All(acks, a => Assert.Equal(4UL, a.Incarnation));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
