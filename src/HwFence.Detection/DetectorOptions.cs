using HwFence.Heartbeat;

namespace HwFence.Detection;

/// <summary>
/// Timings of the dual-path failure detector, per path kind, and of its local-lateness guard.
/// Check with <see cref="DetectorOptionsValidator"/> before use.
/// </summary>
/// <remarks>
/// <para><b>The budget.</b> The demo targets a p99 total failover (crash → application running
/// on a backup) under 1.5 s, with zero false failovers while both cores are saturated and the GC
/// is under pressure. A peer is Dead only when <i>every</i> path is Down, so detection is bounded
/// by the slowest path: the disk deadtime (800 ms) plus one evaluation tick (20 ms). That leaves
/// about 680 ms for the fence (a PREEMPT AND ABORT round trip on the iSCSI target, tens of ms on
/// loopback) and for starting the application process (a .NET process start, 200–400 ms).</para>
/// <para><b>False failovers.</b> A Dead verdict needs every path silent for its whole deadtime at
/// the same time: the LAN and the serial line for 6 intervals, the drive pulse for 4. These
/// paths are served by different threads of the peer (UDP sender, serial writer, disk pulser), so
/// a peer that is merely slow — a 100–300 ms stall under stress-ng or a blocking gen2 GC on a
/// small heap — keeps at least one path Up. A stall of <i>this</i> node, which would make every
/// peer look silent at once, is caught by the local-lateness guard (<see cref="TickPeriod"/>,
/// <see cref="StallThreshold"/>) instead of becoming a verdict.</para>
/// <para>Where the numbers come from: Linux-HA Heartbeat (ha.cf) pairs a keepalive with a
/// warntime and a deadtime of several keepalives and recommends an initdead of at least twice
/// the deadtime; those shapes are kept, scaled down from its seconds to the tens of milliseconds
/// that a dedicated LAN, a 115200-baud serial line and a shared disk allow.</para>
/// </remarks>
public sealed class DetectorOptions
{
    /// <summary>
    /// UDP heartbeats on the LAN. Interval 100 ms: a 64-byte frame every 100 ms is nothing for any
    /// NIC, and 10 Hz leaves room for 6 lost frames inside the deadtime. Warntime 300 ms = 3
    /// intervals (one lost frame plus scheduling jitter is normal; three are worth a log line).
    /// Deadtime 600 ms = 6 intervals: survives a 500 ms sender stall, and is below the disk
    /// deadtime so that the LAN is never the slowest path. Initdead 2 s ≥ 2 × deadtime (Heartbeat's
    /// rule) and covers a .NET node process starting after its peers.
    /// </summary>
    public PathTimings Lan { get; set; } = new(
        Interval: TimeSpan.FromMilliseconds(100),
        Warntime: TimeSpan.FromMilliseconds(300),
        Deadtime: TimeSpan.FromMilliseconds(600),
        Initdead: TimeSpan.FromSeconds(2));

    /// <summary>
    /// Framed heartbeats on a serial line. A frame of ~40 bytes takes 3.5 ms at 115200 baud (10
    /// bits per byte), so the LAN's 100 ms interval costs 3.5 % of the line; the same warntime,
    /// deadtime and initdead as the LAN, so that a LAN-only cut is always seen as a partition
    /// (serial still Up) and never races the serial deadtime.
    /// </summary>
    public PathTimings Serial { get; set; } = new(
        Interval: TimeSpan.FromMilliseconds(100),
        Warntime: TimeSpan.FromMilliseconds(300),
        Deadtime: TimeSpan.FromMilliseconds(600),
        Initdead: TimeSpan.FromSeconds(2));

    /// <summary>
    /// The drive pulse on the shared disk. Interval 200 ms: every pulse is a SCSI command round
    /// trip on the shared LUN (RESERVE/RELEASE or a PR change observed with TEST UNIT READY / READ
    /// RESERVATION), so it runs at half the LAN rate to keep the disk's command queue free for the
    /// application. Warntime 500 ms = 2.5 intervals. Deadtime 800 ms = 4 intervals: the slowest
    /// path, which fixes the detection time (see the class remarks), and still tolerates 3 missed
    /// pulses (a disk queue stalled behind a 600 ms write burst). Initdead 2 s as for the LAN.
    /// </summary>
    public PathTimings Disk { get; set; } = new(
        Interval: TimeSpan.FromMilliseconds(200),
        Warntime: TimeSpan.FromMilliseconds(500),
        Deadtime: TimeSpan.FromMilliseconds(800),
        Initdead: TimeSpan.FromSeconds(2));

    /// <summary>
    /// Period of the detector's evaluation tick (path state, verdicts, events). 20 ms: detection
    /// is at most one tick later than the deadtime (2.5 % of the LAN deadtime), and 50 evaluations
    /// a second over a handful of peers cost microseconds. The tick is also the lateness probe: it
    /// runs on the thread pool, so thread-pool starvation, GC pauses and SIGSTOP all show up as a
    /// tick that comes late.
    /// </summary>
    public TimeSpan TickPeriod { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How much later than <see cref="TickPeriod"/> a tick may come before this node counts itself
    /// as stalled. 150 ms: under stress-ng on 2 cores the thread pool's timer lateness stays in the
    /// tens of milliseconds, so 150 ms does not fire on ordinary load; and a stall shorter than
    /// this inflates a peer's apparent silence by less than deadtime − interval (500 ms), so it
    /// cannot turn a healthy peer Down on its own. On a stall every path's deadtime clock
    /// restarts from the wake-up (peers get a fresh chance) and no Dead is emitted until then.
    /// </summary>
    public TimeSpan StallThreshold { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// Whether each path keeps a phi-accrual suspicion estimate (Hayashibara et al. 2004) for
    /// <c>hwfence status</c> and the logs. It never changes a verdict; the deadtime does.
    /// </summary>
    public bool PhiEnabled { get; set; } = true;

    /// <summary>
    /// Inter-arrival samples kept per path for phi. 100: ten seconds of LAN heartbeats, enough for
    /// a stable mean and deviation, small enough (800 bytes per path) to adapt within seconds.
    /// </summary>
    public int PhiWindowSize { get; set; } = 100;

    /// <summary>
    /// Floor of the standard deviation used by phi, as a fraction of the interval. 0.1: akka's
    /// cluster failure detector pairs a 1 s heartbeat interval with a 100 ms minimum deviation;
    /// without a floor a perfectly regular sender makes phi jump to infinity on the first late frame.
    /// </summary>
    public double PhiMinStdDevFraction { get; set; } = 0.1;

    /// <summary>The timings of one path kind.</summary>
    public PathTimings For(PathKind kind) => kind switch
    {
        PathKind.Lan => Lan,
        PathKind.Serial => Serial,
        PathKind.Disk => Disk,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown path kind"),
    };

    /// <summary>
    /// Derived bound: the longest time from a peer's last heartbeat to its Dead verdict when this
    /// node is healthy — the largest deadtime plus one tick (the tick that notices it).
    /// </summary>
    public TimeSpan MaxDetectionTime =>
        Max(Max(Lan.Deadtime, Serial.Deadtime), Disk.Deadtime) + TickPeriod;

    /// <summary>Derived bound: the largest deadtime, which every path is given again after a local stall.</summary>
    public TimeSpan MaxDeadtime => Max(Max(Lan.Deadtime, Serial.Deadtime), Disk.Deadtime);

    /// <summary>Derived bound: a tick whose gap from the previous one exceeds this is a local stall.</summary>
    public TimeSpan StallGap => TickPeriod + StallThreshold;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
