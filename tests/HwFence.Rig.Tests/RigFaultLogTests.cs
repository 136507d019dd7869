using HwFence.Rig;

namespace HwFence.Rig.Tests;

public sealed class RigFaultLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hwfence-faultlog-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Faults_are_read_back_by_the_checkers_parser_and_records_after_dispose_are_ignored()
    {
        string path = Path.Combine(_dir, RigFaultLog.FileName);
        var at = new DateTimeOffset(2026, 12, 6, 22, 0, 0, 123, TimeSpan.Zero);
        using (var log = new RigFaultLog(path))
        {
            log.Record(1, RigFaults.Kill, at);
            Parallel.For(0, 50, i => log.Record(2, RigFaults.CutLan, at.AddMilliseconds(i)));
            log.Dispose();
            log.Record(3, RigFaults.Stop, at);
        }

        using var reader = new StreamReader(path);
        var (events, errors) = RigEvent.ReadAll(reader, path);
        Assert.Empty(errors);
        Assert.Equal(51, events.Count);
        Assert.Equal(new RigEvent(at, 1, RigEventKinds.Fault) { Fault = RigFaults.Kill }, events[0]);
        Assert.All(events.Skip(1), e => Assert.Equal((2, RigFaults.CutLan), (e.Node, e.Fault)));
        Assert.DoesNotContain(events, e => e.Node == 3);
    }
}
