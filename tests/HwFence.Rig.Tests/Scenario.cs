namespace HwFence.Rig.Tests;

/// <summary>
/// A synthetic run for the checker: event-log lines on a shared timeline (milliseconds after
/// <see cref="EmulatedRig.Clock"/>'s start), records written to the emulated disk by the real
/// <see cref="DemoRecordLog"/> at chosen times, and the ack logs they produce.
/// </summary>
internal sealed class Scenario : IAsyncDisposable
{
    private readonly Dictionary<int, DemoRecordLog> _logs = new();

    public EmulatedRig Rig { get; } = new();

    public DateTimeOffset T0 { get; }

    public List<RigEvent> Events { get; } = new();

    public MemoryAckLog Acks { get; } = new();

    public Scenario() => T0 = Rig.Clock.GetUtcNow();

    public DateTimeOffset T(double ms) => T0.AddMilliseconds(ms);

    public Scenario Event(double ms, int node, string kind, int? peer = null, string? fault = null, string? path = null, string? state = null)
    {
        Events.Add(new RigEvent(T(ms), node, kind) { Peer = peer, Fault = fault, Path = path, State = state });
        return this;
    }

    public Scenario Fault(double ms, int node, string fault) => Event(ms, node, RigEventKinds.Fault, fault: fault);

    /// <summary>The detector of <paramref name="node"/> saw every path to <paramref name="peer"/> go Late then Down after it fell silent at <paramref name="silentAtMs"/> (default timings).</summary>
    public Scenario DetectorSawSilence(int node, int peer, double silentAtMs)
    {
        foreach ((string path, double late, double down) in new[] { ("lan:10.0.0.1", 300.0, 600.0), ("serial:/dev/ttyS0", 300.0, 600.0), ("disk:emu:shared", 500.0, 800.0) })
        {
            Event(silentAtMs + late, node, RigEventKinds.PathState, peer, path: path, state: "Late");
            Event(silentAtMs + down, node, RigEventKinds.PathState, peer, path: path, state: "Down");
        }

        Events.Add(new RigEvent(T(silentAtMs + 800), node, RigEventKinds.Verdict) { Peer = peer, Verdict = "Dead" });
        return this;
    }

    /// <summary>Node <paramref name="node"/>'s demo application appends one record at <paramref name="ms"/>.</summary>
    public async Task<DemoAppendResult> WriteAsync(double ms, int node, ulong incarnation = 1)
    {
        AdvanceTo(ms);
        if (!_logs.TryGetValue(node, out DemoRecordLog? log) || log.Incarnation != incarnation)
        {
            if (!_logs.ContainsKey(node))
            {
                await Rig.UnfenceAsync(node);
            }

            _logs[node] = log = new DemoRecordLog(Rig.NodeDevice(node), EmulatedRig.Region, node, incarnation, Acks, Rig.Clock);
            await log.ResumeAsync();
        }

        return await log.AppendAsync(System.Text.Encoding.UTF8.GetBytes($"node {node} at {ms} ms"));
    }

    /// <summary>Puts a record straight into its block, bypassing the application (to fake what a broken stack would leave).</summary>
    public async Task PlantAsync(double stampMs, int node, ulong sequence, ulong incarnation = 1)
    {
        byte[] block = new byte[512];
        DemoRecord.Write(block, node, incarnation, sequence, T(stampMs), "planted"u8);
        await Rig.RawWriteAsync(EmulatedRig.Region.LbaOf(sequence), block);
    }

    public async Task<InvariantReport> CheckAsync(InvariantCheckerOptions? options = null)
    {
        options ??= new InvariantCheckerOptions();
        options.Region = EmulatedRig.Region;
        return new InvariantChecker(options).Check(Events, await Rig.ScanAsync(), Acks.Lines);
    }

    /// <summary>The clean story: node 1 hosts and writes, is killed at 1000 ms, node 2 detects, fences, starts and writes.</summary>
    public async Task<Scenario> CleanFailoverAsync(string fault = RigFaults.Kill)
    {
        Event(0, 1, RigEventKinds.NodeStarted).Event(0, 2, RigEventKinds.NodeStarted);
        Event(10, 1, RigEventKinds.AppStarted);
        for (int i = 1; i <= 3; i++)
        {
            Assert.True((await WriteAsync(i * 100, 1)).IsAcknowledged);
        }

        Fault(1000, 1, fault);
        DetectorSawSilence(2, 1, 1000);
        Event(1800, 2, RigEventKinds.FenceStarted, peer: 1);
        AdvanceTo(1850);
        await Rig.FenceAsync(2, 1);
        Event(1850, 2, RigEventKinds.FenceCompleted, peer: 1);
        Event(2100, 2, RigEventKinds.AppStarted);
        Assert.True((await WriteAsync(2200, 2)).IsAcknowledged);
        Assert.True((await WriteAsync(2300, 2)).IsAcknowledged);
        return this;
    }

    private void AdvanceTo(double ms)
    {
        TimeSpan delta = T(ms) - Rig.Clock.GetUtcNow();
        if (delta > TimeSpan.Zero)
        {
            Rig.Clock.Advance(delta);
        }
    }

    public ValueTask DisposeAsync() => Rig.DisposeAsync();
}
