using HwFence.Cli.Demo;
using HwFence.Rig;
using HwFence.Scsi;

namespace HwFence.Cli.Hil;

/// <summary>
/// Runs one scenario once on a fresh emulated rig (<see cref="DemoRig"/>): starts the nodes,
/// performs the steps with real faults (signals, cable cuts, nftables, emulator faults), logs every
/// fault for the checker, stops the cluster, and runs the <see cref="InvariantChecker"/>.
/// </summary>
internal sealed class HilRunner(HilRigConfig config, bool keep, Action<string> say)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public async Task<HilRunResult> RunAsync(HilScenario scenario, int repetition, int seed, CancellationToken ct)
    {
        var result = new HilRunResult(scenario.Name, repetition, seed);
        using var lan = new LanCutter();
        if (scenario.Steps.Any(s => s.Path == HilPath.Lan) && !lan.TryCreate(out string why))
        {
            result.SkipReason = why;
            return result;
        }

        string dir = Path.Combine(Path.GetTempPath(), $"hwfence-hil-{Environment.ProcessId}-{scenario.Name}-{repetition}");
        var rig = await DemoRig.CreateAsync(config.Nodes, keep: true, dir, ct);
        result.WorkDir = dir;
        try
        {
            var run = new Run(rig, config, lan, new Random(seed), result, say);
            await run.ExecuteAsync(scenario, ct);
            result.FailoverEventLines.AddRange(new HilObserver(rig).Events(HilEvents.Name(HwFence.Cluster.Events.ClusterEventKind.FailoverCompleted), DateTimeOffset.MinValue, null)
                .OrderBy(e => e.Time).Select(e => $"{e.Time:HH:mm:ss.fff} {e.Node}: {e.Message}"));
            result.Report = await CheckAsync(rig, ct);
        }
        finally
        {
            await rig.DisposeAsync();
            if (!keep && result.Passed)
            {
                TryDelete(dir);
                result.WorkDir = null;
            }
        }

        return result;
    }

    private static async Task<InvariantReport> CheckAsync(DemoRig rig, CancellationToken ct)
    {
        await using var device = new ScsiDevice(rig.Disk.Connect("iqn.2026-01.org.hwfence:hil-checker"));
        await device.ClearUnitAttentionsAsync(ct);
        return await new InvariantChecker().CheckAsync(device, rig.EvidencePaths(), rig.AckPaths(), ct);
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The state of one run: who the victim is, when the rig last acted, what is cut.</summary>
    private sealed class Run(DemoRig rig, HilRigConfig config, LanCutter lan, Random random, HilRunResult result, Action<string> say)
    {
        private readonly HilObserver _see = new(rig);
        private readonly HashSet<(HilPath, int)> _cuts = new();
        private int? _victim;
        private DateTimeOffset _lastAction = DateTimeOffset.UtcNow;

        public async Task ExecuteAsync(HilScenario scenario, CancellationToken ct)
        {
            foreach (var n in rig.Nodes)
            {
                n.Start();
            }

            try
            {
                foreach (var step in scenario.Steps)
                {
                    var started = DateTimeOffset.UtcNow;
                    string? failure = null;
                    string detail;
                    try
                    {
                        detail = await StepAsync(step, ct);
                    }
                    catch (HilStepFailed e)
                    {
                        failure = e.Message;
                        detail = e.Message;
                    }

                    var r = new HilStepResult(step.Index, step.Line, step.ToString(), failure is null, detail, (DateTimeOffset.UtcNow - started).TotalMilliseconds);
                    result.Steps.Add(r);
                    say($"  step {step.Index} (line {step.Line}) {step}: {(r.Ok ? "ok" : "FAILED")} — {detail}");
                    if (failure is not null)
                    {
                        result.Failure = $"{scenario.SourcePath}:{step.Line}: step {step.Index} ({step}): {failure}";
                        break;
                    }
                }
            }
            finally
            {
                HealAll();
                rig.StopAll(TimeSpan.FromSeconds(5));
            }
        }

        private async Task<string> StepAsync(HilStep step, CancellationToken ct)
        {
            if (step.Verb is HilVerb.Kill or HilVerb.Freeze or HilVerb.Thaw or HilVerb.Restart or HilVerb.Cut or HilVerb.Heal && config.Jitter > TimeSpan.Zero)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.NextDouble() * config.Jitter.TotalMilliseconds), ct);
            }

            switch (step.Verb)
            {
                case HilVerb.Wait:
                    return await WaitSteadyAsync(ct);
                case HilVerb.Hold:
                    await Task.Delay(step.Duration, ct);
                    return $"held {step.Duration.TotalSeconds:0.###} s";
                case HilVerb.Kill or HilVerb.Freeze or HilVerb.Thaw or HilVerb.Restart:
                    return Signal(step);
                case HilVerb.Cut or HilVerb.Heal:
                    return CutOrHeal(step);
                case HilVerb.Expect:
                    return await ExpectAsync(step, ct);
                case HilVerb.ExpectNot:
                    return await ExpectNotAsync(step, ct);
                default:
                    throw new HilStepFailed($"verb {step.Verb} is not implemented");
            }
        }

        private async Task<string> WaitSteadyAsync(CancellationToken ct)
        {
            const int primary = 1;
            var until = DateTimeOffset.UtcNow + config.SteadyTimeout;
            int? baseline = null;
            while (DateTimeOffset.UtcNow < until)
            {
                ThrowIfDiedOnItsOwn("steady state");
                if (_see.HostRunning() == primary)
                {
                    int acks = _see.AckCount();
                    baseline ??= acks;
                    if (acks >= baseline + config.SteadyAcks)
                    {
                        return $"application runs on n{primary}, {acks} records acknowledged";
                    }
                }
                else
                {
                    baseline = null;
                }

                await Task.Delay(Poll, ct);
            }

            throw new HilStepFailed($"not steady after {config.SteadyTimeout.TotalSeconds:0} s: host is {Name(_see.HostRunning())}, {_see.AckCount()} records acknowledged");
        }

        private string Signal(HilStep step)
        {
            var targets = step.Role == HilRole.All
                ? rig.Nodes.Where(n => step.Verb switch
                {
                    HilVerb.Restart => !n.IsRunning,
                    HilVerb.Thaw => n.IsFrozen,
                    _ => n.IsRunning,
                }).ToList()
                : [rig.Nodes[Resolve(step.Role!.Value) - 1]];
            foreach (var n in targets)
            {
                var at = DateTimeOffset.UtcNow;
                switch (step.Verb)
                {
                    case HilVerb.Kill:
                        n.Kill();
                        rig.RecordFault(n.Id, RigFaults.Kill, at);
                        break;
                    case HilVerb.Freeze:
                        n.Freeze();
                        rig.RecordFault(n.Id, RigFaults.Stop, at);
                        break;
                    case HilVerb.Thaw:
                        n.Thaw();
                        rig.RecordFault(n.Id, RigFaults.Continue, at);
                        break;
                    default:
                        if (n.IsRunning)
                        {
                            throw new HilStepFailed($"{n.Name} is still running (pid {n.Pid}); restart acts on a node that was killed");
                        }

                        n.Start();
                        rig.RecordFault(n.Id, RigFaults.Restore, at);
                        break;
                }

                if (step.Verb is HilVerb.Kill or HilVerb.Freeze)
                {
                    _victim = n.Id;
                }

                _lastAction = at;
            }

            string verb = step.Verb switch { HilVerb.Kill => "SIGKILL", HilVerb.Freeze => "SIGSTOP", HilVerb.Thaw => "SIGCONT", _ => "started" };
            return targets.Count == 0 ? "no node to act on" : $"{verb} {string.Join(", ", targets.Select(t => t.Name))}";
        }

        private string CutOrHeal(HilStep step)
        {
            int id = Resolve(step.Role!.Value);
            var path = step.Path!.Value;
            var at = DateTimeOffset.UtcNow;
            bool cut = step.Verb == HilVerb.Cut;
            string what = Apply(path, id, cut);
            if (cut)
            {
                _cuts.Add((path, id));
                _victim = id;
                rig.RecordFault(id, path switch { HilPath.Lan => RigFaults.CutLan, HilPath.Serial => RigFaults.CutSerial, _ => RigFaults.CutDisk }, at);
            }
            else
            {
                _cuts.Remove((path, id));
                rig.RecordFault(id, RigFaults.Restore, at);
            }

            _lastAction = at;
            return what;
        }

        private string Apply(HilPath path, int id, bool cut)
        {
            switch (path)
            {
                case HilPath.Serial:
                    int count = 0;
                    for (int i = 0; i < rig.Cables.Count; i++)
                    {
                        if (rig.CableEnds[i].A == id || rig.CableEnds[i].B == id)
                        {
                            if (cut)
                            {
                                rig.Cables[i].Cut();
                            }
                            else
                            {
                                rig.Cables[i].Reconnect();
                            }

                            count++;
                        }
                    }

                    return $"{(cut ? "cut" : "reconnected")} {count} serial cables of n{id}";
                case HilPath.Lan:
                    int port = rig.LanPorts[id - 1];
                    string why;
                    if (!(cut ? lan.TryCut(port, out why) : lan.TryHeal(port, out why)))
                    {
                        throw new HilStepFailed(why);
                    }

                    return $"{(cut ? "dropping" : "passing")} UDP to/from 127.0.0.1:{port} (n{id}) in nftables table {lan.Table}";
                default:
                    // The node's own initiator and its application's (NodeHost: "<name>:app").
                    string initiator = $"iqn.2026-01.org.hwfence:node:n{id}";
                    foreach (string name in new[] { initiator, initiator + ":app" })
                    {
                        rig.Disk.Faults.For(name).Hang = cut;
                        if (cut)
                        {
                            rig.Disk.Target.DropConnections(name);
                        }
                    }

                    return cut ? $"emulator: connections of {initiator} dropped, its commands hang" : $"emulator: faults of {initiator} cleared";
            }
        }

        private void HealAll()
        {
            foreach (var (path, id) in _cuts.ToList())
            {
                try
                {
                    Apply(path, id, cut: false);
                }
                catch (HilStepFailed e)
                {
                    say($"  warning: could not heal {path} of n{id}: {e.Message}");
                }
            }

            _cuts.Clear();
        }

        private async Task<string> ExpectAsync(HilStep step, CancellationToken ct)
        {
            string? node = step.Role is { } r ? $"n{Resolve(r)}" : null;
            var until = DateTimeOffset.UtcNow + step.Duration;
            while (true)
            {
                if (_see.FindEvent(step.Event!, _lastAction, node) is { } e)
                {
                    return $"{e.Node}: {step.Event} {(e.Time - _lastAction).TotalMilliseconds:0} ms after the last fault — {e.Message}";
                }

                if (DateTimeOffset.UtcNow >= until)
                {
                    throw new HilStepFailed($"no {step.Event} event{(node is null ? "" : $" from {node}")} within {step.Duration.TotalSeconds:0.###} s (host now: {Name(_see.HostRunning())})");
                }

                ThrowIfDiedOnItsOwn(step.Event!);
                await Task.Delay(Poll, ct);
            }
        }

        private async Task<string> ExpectNotAsync(HilStep step, CancellationToken ct)
        {
            string? node = step.Role is { } r ? $"n{Resolve(r)}" : null;
            var until = DateTimeOffset.UtcNow + step.Duration;
            while (true)
            {
                if (_see.FindEvent(step.Event!, _lastAction, node) is { } e)
                {
                    throw new HilStepFailed($"{e.Node} logged {step.Event} at {e.Time:HH:mm:ss.fff}: {e.Message}");
                }

                if (DateTimeOffset.UtcNow >= until)
                {
                    return $"no {step.Event} for {step.Duration.TotalSeconds:0.###} s";
                }

                await Task.Delay(Poll, ct);
            }
        }

        private int Resolve(HilRole role)
        {
            switch (role)
            {
                case HilRole.Host:
                    return _see.HostRunning() ?? throw new HilStepFailed("no node runs the application, so there is no host to act on");
                case HilRole.Victim:
                    return _victim ?? throw new HilStepFailed("no earlier kill, freeze or cut named a victim");
                case HilRole.FirstBackup:
                    int? host = _see.HostRunning();
                    return rig.Nodes.FirstOrDefault(n => n.IsRunning && !n.IsFrozen && n.Id != host && n.Id != _victim)?.Id
                        ?? throw new HilStepFailed("no running node besides the host and the victim");
                default:
                    throw new HilStepFailed("'all' is only valid for kill, freeze, thaw and restart");
            }
        }

        private void ThrowIfDiedOnItsOwn(string waitingFor)
        {
            if (_see.DiedOnItsOwn() is { } dead)
            {
                throw new HilStepFailed($"{dead.Name} exited on its own (code {dead.ExitCode}) while waiting for {waitingFor}; last log line: {dead.LastLogLines(1).FirstOrDefault()}");
            }
        }

        private static string Name(int? id) => id is int i ? $"n{i}" : "nobody";
    }

    private sealed class HilStepFailed(string message) : Exception(message);
}
