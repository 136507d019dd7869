using HwFence.Scsi;

namespace HwFence.Rig;

/// <summary>
/// The independent checker of issue 7: it reads the demo application's records from the shared
/// disk itself (through its own transport), the nodes' event logs, their ack logs and the rig's
/// fault log, and checks the five invariants of design.md without trusting any node's claim
/// about itself — a node's word is used only as evidence <i>against</i> it (e.g. a backup's own
/// detector log showing a path Up when it began to fence).
/// </summary>
public sealed class InvariantChecker(InvariantCheckerOptions? options = null)
{
    private readonly InvariantCheckerOptions _options = options ?? new InvariantCheckerOptions();

    /// <summary>Reads the region through <paramref name="device"/> and the JSON-lines logs, then checks.</summary>
    public async ValueTask<InvariantReport> CheckAsync(
        ScsiDevice device, IEnumerable<string> eventLogPaths, IEnumerable<string> ackLogPaths, CancellationToken cancellationToken = default)
    {
        DiskRecordScan disk = await DemoRecordReader.ScanAsync(device, _options.Region, cancellationToken).ConfigureAwait(false);
        var events = new List<RigEvent>();
        var acks = new List<AckLine>();
        var errors = new List<string>();
        foreach (string path in eventLogPaths)
        {
            using var reader = new StreamReader(path);
            (List<RigEvent> e, List<string> err) = RigEvent.ReadAll(reader, path);
            events.AddRange(e);
            errors.AddRange(err);
        }

        foreach (string path in ackLogPaths)
        {
            using var reader = new StreamReader(path);
            (List<AckLine> a, List<string> err) = AckLine.ReadAll(reader, path);
            acks.AddRange(a);
            errors.AddRange(err);
        }

        return Check(events, disk, acks, errors);
    }

    /// <summary>Checks the five invariants on evidence already read (pure logic).</summary>
    public InvariantReport Check(IEnumerable<RigEvent> events, DiskRecordScan disk, IEnumerable<AckLine> acks, IEnumerable<string>? inputErrors = null)
    {
        List<RigEvent> timeline = events.OrderBy(e => e.Time).ToList();
        List<AckLine> ackList = acks.ToList();
        var violations = new List<InvariantViolation>();
        List<HostInterval> hosting = HostIntervals(timeline);

        CheckSingleHost(timeline, hosting, disk, violations);
        CheckNoWriteAfterFence(timeline, disk, violations);
        CheckNoFailoverFromLivePrimary(timeline, violations);
        List<FailoverMeasurement> failovers = MeasureFailovers(timeline, hosting, violations);
        CheckNoAcknowledgedWriteLost(disk, ackList, violations);

        return new InvariantReport(
            violations.OrderBy(v => v.At ?? DateTimeOffset.MaxValue).ThenBy(v => v.Invariant).ToList(),
            failovers,
            disk.Records.Count,
            ackList.Count,
            (inputErrors ?? []).ToList());
    }

    /// <summary>When a node hosted the application: app-started until app-stopped, its process was killed, or it restarted.</summary>
    private readonly record struct HostInterval(int Node, DateTimeOffset Start, DateTimeOffset End);

    private static List<HostInterval> HostIntervals(List<RigEvent> timeline)
    {
        var open = new Dictionary<int, DateTimeOffset>();
        var intervals = new List<HostInterval>();
        foreach (RigEvent e in timeline)
        {
            bool ends = e.Kind == RigEventKinds.AppStopped
                || e.Kind == RigEventKinds.NodeStarted
                || (e.Kind == RigEventKinds.Fault && e.Fault is RigFaults.Kill or RigFaults.Exited or RigFaults.Shutdown);
            if (ends && open.Remove(e.Node, out DateTimeOffset start))
            {
                intervals.Add(new HostInterval(e.Node, start, e.Time));
            }

            if (e.Kind == RigEventKinds.AppStarted && !open.ContainsKey(e.Node))
            {
                open[e.Node] = e.Time;
            }
        }

        foreach ((int node, DateTimeOffset start) in open)
        {
            intervals.Add(new HostInterval(node, start, DateTimeOffset.MaxValue));
        }

        return intervals.OrderBy(i => i.Start).ToList();
    }

    /// <summary>
    /// Invariant 1. Two hosting intervals may overlap only when the older host was fenced before
    /// the newer one started (a frozen host that has not yet noticed is harmless: the fence holds,
    /// which invariant 2 checks on the disk). On the disk, two writers' records must not interleave
    /// in time: when record numbers pass from one writer to the next, the next writer's first
    /// record must not be older than the previous writer's last.
    /// </summary>
    private void CheckSingleHost(List<RigEvent> timeline, List<HostInterval> hosting, DiskRecordScan disk, List<InvariantViolation> violations)
    {
        TimeSpan tol = _options.Tolerance;
        for (int i = 0; i < hosting.Count; i++)
        {
            for (int j = i + 1; j < hosting.Count; j++)
            {
                HostInterval a = hosting[i], b = hosting[j];
                if (a.Node == b.Node || b.Start >= a.End - tol)
                {
                    continue;
                }

                bool fencedFirst = timeline.Any(e => e.Kind == RigEventKinds.FenceCompleted && e.Peer == a.Node
                    && e.Time >= a.Start && e.Time <= b.Start + tol);
                if (!fencedFirst)
                {
                    violations.Add(new InvariantViolation(1, b.Start,
                        $"node {b.Node} started the application at {b.Start:HH:mm:ss.fff} while node {a.Node} hosted it " +
                        $"(since {a.Start:HH:mm:ss.fff}{(a.End == DateTimeOffset.MaxValue ? "" : $", until {a.End:HH:mm:ss.fff}")}) and node {a.Node} had not been fenced"));
                }
            }
        }

        var bySequence = disk.Records.Select(r => r.Record).OrderBy(r => r.Sequence).ToList();
        for (int k = 1; k < bySequence.Count; k++)
        {
            DemoRecord prev = bySequence[k - 1], next = bySequence[k];
            if (prev.NodeId != next.NodeId && next.Timestamp < prev.Timestamp - tol)
            {
                violations.Add(new InvariantViolation(1, next.Timestamp,
                    $"the disk holds record #{prev.Sequence} by node {prev.NodeId} stamped {prev.Timestamp:HH:mm:ss.fff} and record #{next.Sequence} " +
                    $"by node {next.NodeId} stamped earlier, {next.Timestamp:HH:mm:ss.fff}: both nodes were writing at the same time"));
            }
        }
    }

    /// <summary>
    /// Invariant 2: a record by a fenced node stamped after the fence completed was sent after it;
    /// that it is on the disk means the disk accepted it. Exempt only when the node restarted or
    /// re-registered (unfenced) between the fence and the record.
    /// </summary>
    private void CheckNoWriteAfterFence(List<RigEvent> timeline, DiskRecordScan disk, List<InvariantViolation> violations)
    {
        foreach (RigEvent fence in timeline.Where(e => e.Kind == RigEventKinds.FenceCompleted && e.Peer is not null))
        {
            int victim = fence.Peer!.Value;
            foreach ((ulong lba, DemoRecord record) in disk.Records)
            {
                if (record.NodeId != victim || record.Timestamp <= fence.Time + _options.Tolerance)
                {
                    continue;
                }

                bool readmitted = timeline.Any(e => e.Node == victim
                    && (e.Kind == RigEventKinds.Unfenced || e.Kind == RigEventKinds.NodeStarted)
                    && e.Time > fence.Time && e.Time <= record.Timestamp);
                if (!readmitted)
                {
                    violations.Add(new InvariantViolation(2, record.Timestamp,
                        $"node {fence.Node} completed the fence of node {victim} at {fence.Time:HH:mm:ss.fff}, yet the disk holds record #{record.Sequence} " +
                        $"(block {lba}) that node {victim} stamped at {record.Timestamp:HH:mm:ss.fff}, after the fence, without being unfenced first"));
                }
            }
        }
    }

    /// <summary>
    /// Invariant 3, twice. From the fencing node's own detector log: no path to the victim may be
    /// Up or Late when it begins to fence. Independently, from the rig's fault log: the victim must
    /// have been killed, frozen, or cut off on every path (LAN, serial and disk) since its last start —
    /// otherwise the failover took over a live primary.
    /// </summary>
    private void CheckNoFailoverFromLivePrimary(List<RigEvent> timeline, List<InvariantViolation> violations)
    {
        foreach (RigEvent fence in timeline.Where(e => e.Kind == RigEventKinds.FenceStarted && e.Peer is not null))
        {
            int victim = fence.Peer!.Value;
            var pathStates = new Dictionary<string, RigEvent>();
            foreach (RigEvent e in timeline)
            {
                if (e.Time > fence.Time)
                {
                    break;
                }

                if (e.Kind == RigEventKinds.PathState && e.Node == fence.Node && e.Peer == victim && e.Path is not null)
                {
                    pathStates[e.Path] = e;
                }
            }

            foreach (RigEvent alive in pathStates.Values.Where(p => p.State is "Up" or "Late"))
            {
                violations.Add(new InvariantViolation(3, fence.Time,
                    $"node {fence.Node} began to fence node {victim} at {fence.Time:HH:mm:ss.fff} while its own detector showed path {alive.Path} " +
                    $"{alive.State} (since {alive.Time:HH:mm:ss.fff})"));
            }

            if (!RigSilencedNode(timeline, victim, fence.Time, out string? history))
            {
                violations.Add(new InvariantViolation(3, fence.Time,
                    $"node {fence.Node} began to fence node {victim} at {fence.Time:HH:mm:ss.fff}, but the rig had not killed, frozen or fully cut off " +
                    $"node {victim} ({history}): a false failover of a live primary"));
            }
        }
    }

    /// <summary>Did the rig silence <paramref name="node"/> (kill, stop, or every path cut) at or before <paramref name="at"/>, since its last start?</summary>
    private static bool RigSilencedNode(List<RigEvent> timeline, int node, DateTimeOffset at, out string history)
    {
        bool dead = false, lan = false, serial = false, disk = false;
        var seen = new List<string>();
        foreach (RigEvent e in timeline)
        {
            if (e.Time > at)
            {
                break;
            }

            if (e.Node != node)
            {
                continue;
            }

            if (e.Kind == RigEventKinds.NodeStarted)
            {
                dead = lan = serial = disk = false;
                seen.Clear();
                continue;
            }

            if (e.Kind != RigEventKinds.Fault)
            {
                continue;
            }

            seen.Add($"{e.Fault} at {e.Time:HH:mm:ss.fff}");
            switch (e.Fault)
            {
                case RigFaults.Kill or RigFaults.Stop or RigFaults.Exited or RigFaults.Shutdown:
                    dead = true;
                    break;
                case RigFaults.Continue:
                    // A continued node is alive again; a later failover must be justified anew.
                    dead = false;
                    break;
                case RigFaults.CutLan:
                    lan = true;
                    break;
                case RigFaults.CutSerial:
                    serial = true;
                    break;
                case RigFaults.CutDisk:
                    disk = true;
                    break;
                case RigFaults.Restore:
                    lan = serial = disk = false;
                    break;
            }
        }

        history = seen.Count == 0 ? "no fault injected" : "faults: " + string.Join(", ", seen);
        return dead || (lan && serial && disk);
    }

    /// <summary>Invariant 4: for every kill or freeze of a host, the application runs elsewhere within the bound.</summary>
    private List<FailoverMeasurement> MeasureFailovers(List<RigEvent> timeline, List<HostInterval> hosting, List<InvariantViolation> violations)
    {
        var measured = new List<FailoverMeasurement>();
        DateTimeOffset logEnd = timeline.Count == 0 ? DateTimeOffset.MinValue : timeline[^1].Time;
        foreach (RigEvent fault in timeline.Where(e => e.Kind == RigEventKinds.Fault && e.Fault is RigFaults.Kill or RigFaults.Stop))
        {
            int host = fault.Node;
            bool wasHosting = hosting.Any(h => h.Node == host && h.Start <= fault.Time && h.End >= fault.Time);
            if (!wasHosting)
            {
                continue;
            }

            RigEvent? started = timeline.FirstOrDefault(e => e.Kind == RigEventKinds.AppStarted && e.Node != host && e.Time >= fault.Time);
            DateTimeOffset owedBy = fault.Time + _options.FailoverBound;
            string? notRequired = QuorumLostWithin(timeline, fault.Time, started is not null && started.Time < owedBy ? started.Time : owedBy);
            RigEvent? fenceStart = timeline.FirstOrDefault(e => e.Kind == RigEventKinds.FenceStarted && e.Peer == host && e.Time >= fault.Time
                && (started is null || e.Time <= started.Time));
            RigEvent? fenceDone = fenceStart is null ? null : timeline.FirstOrDefault(e => e.Kind == RigEventKinds.FenceCompleted && e.Peer == host
                && e.Node == fenceStart.Node && e.Time >= fenceStart.Time);
            TimeSpan? total = started is null ? null : started.Time - fault.Time;
            measured.Add(new FailoverMeasurement(
                host,
                started?.Node,
                fault.Time,
                fenceStart is null ? null : fenceStart.Time - fault.Time,
                fenceStart is null || fenceDone is null ? null : fenceDone.Time - fenceStart.Time,
                started is null ? null : started.Time - (fenceDone?.Time ?? fault.Time),
                total,
                notRequired));

            if (total is { } t && t > _options.FailoverBound && notRequired is null)
            {
                violations.Add(new InvariantViolation(4, started!.Time,
                    $"node {host} was {(fault.Fault == RigFaults.Kill ? "killed" : "frozen")} at {fault.Time:HH:mm:ss.fff}; node {started.Node} " +
                    $"started the application {t.TotalMilliseconds:0} ms later, over the {_options.FailoverBound.TotalMilliseconds:0} ms bound"));
            }
            else if (total is null && notRequired is null && logEnd - fault.Time > _options.FailoverBound)
            {
                violations.Add(new InvariantViolation(4, fault.Time,
                    $"node {host} was {(fault.Fault == RigFaults.Kill ? "killed" : "frozen")} at {fault.Time:HH:mm:ss.fff} while hosting the application, " +
                    $"and no other node started it in the {(logEnd - fault.Time).TotalMilliseconds:0} ms the logs cover"));
            }
        }

        return measured;
    }

    /// <summary>
    /// Null when a quorum of nodes was up during the whole window; otherwise why not (the moment the
    /// count of live nodes fell below it). A node is down from a kill, freeze, exit or shutdown
    /// until it starts again (or is continued, after a freeze).
    /// </summary>
    private string? QuorumLostWithin(List<RigEvent> timeline, DateTimeOffset from, DateTimeOffset to)
    {
        var nodes = timeline.Where(e => e.Node > 0).Select(e => e.Node).ToHashSet();

        // Two nodes break ties on the fencing disk: the survivor that wins the preempt has quorum.
        int quorum = _options.Quorum ?? (nodes.Count <= 2 ? 1 : (nodes.Count / 2) + 1);
        var down = new HashSet<int>();
        foreach (RigEvent e in timeline)
        {
            if (e.Time > to)
            {
                break;
            }

            if (e.Kind == RigEventKinds.Fault && e.Fault is RigFaults.Kill or RigFaults.Stop or RigFaults.Exited or RigFaults.Shutdown)
            {
                down.Add(e.Node);
            }
            else if (e.Kind == RigEventKinds.NodeStarted || (e.Kind == RigEventKinds.Fault && e.Fault == RigFaults.Continue))
            {
                down.Remove(e.Node);
            }

            int alive = nodes.Count - down.Count;
            if (e.Time >= from && alive < quorum)
            {
                return $"only {alive} of {nodes.Count} nodes were up at {e.Time:HH:mm:ss.fff}, below the quorum of {quorum}: no backup may take over";
            }
        }

        return null;
    }

    /// <summary>Invariant 5: every acknowledged record is on the disk, at its block, with the content acknowledged.</summary>
    private void CheckNoAcknowledgedWriteLost(DiskRecordScan disk, List<AckLine> acks, List<InvariantViolation> violations)
    {
        var bySequence = new Dictionary<ulong, (ulong Lba, DemoRecord Record)>();
        foreach ((ulong lba, DemoRecord record) in disk.Records)
        {
            if (lba != _options.Region.LbaOf(record.Sequence))
            {
                violations.Add(new InvariantViolation(5, record.Timestamp,
                    $"record #{record.Sequence} by node {record.NodeId} sits in block {lba}, not its own block {_options.Region.LbaOf(record.Sequence)}"));
            }

            bySequence.TryAdd(record.Sequence, (lba, record));
        }

        foreach ((ulong lba, DemoBlockKind kind, string reason) in disk.Problems)
        {
            violations.Add(new InvariantViolation(5, null, $"block {lba} of the record region is {kind.ToString().ToLowerInvariant()}: {reason}"));
        }

        foreach (AckLine ack in acks)
        {
            if (!bySequence.TryGetValue(ack.Sequence, out (ulong Lba, DemoRecord Record) found))
            {
                violations.Add(new InvariantViolation(5, ack.Time,
                    $"node {ack.NodeId} acknowledged record #{ack.Sequence} (block {ack.Lba}) at {ack.Time:HH:mm:ss.fff}, but it is not on the disk"));
                continue;
            }

            DemoRecord r = found.Record;
            if (r.NodeId != ack.NodeId || r.Incarnation != ack.Incarnation || r.Crc != ack.Crc)
            {
                violations.Add(new InvariantViolation(5, ack.Time,
                    $"node {ack.NodeId} (incarnation {ack.Incarnation}) acknowledged record #{ack.Sequence} with CRC-32C 0x{ack.Crc:X8} at {ack.Time:HH:mm:ss.fff}; " +
                    $"block {found.Lba} now holds node {r.NodeId}'s record #{r.Sequence} (incarnation {r.Incarnation}, CRC-32C 0x{r.Crc:X8}) stamped {r.Timestamp:HH:mm:ss.fff}: the acknowledged write was overwritten"));
            }
        }
    }
}
