using HwFence.Heartbeat;
using static HwFence.Detection.Tests.Timeline;

namespace HwFence.Detection.Tests;

/// <summary>
/// Property-style: seeded random timelines of path cuts, repairs, peer deaths and local stalls,
/// checking after every 5 ms step that the detector never says Dead while a path was heard
/// within its deadtime, and that it does say Dead once everything stayed silent long enough.
/// </summary>
public sealed class RandomizedTimelineTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 1; seed <= 40; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Never_dead_while_any_path_was_heard_within_its_deadtime(int seed) => RunSeed(seed);

    [Fact]
    public void Generated_timelines_exercise_dead_liveness_and_the_stall_guard()
    {
        (int Dead, int Liveness, int Stalls) total = (0, 0, 0);
        foreach (int seed in Enumerable.Range(1, 40))
        {
            (int dead, int liveness, int stalls) = RunSeed(seed);
            total = (total.Dead + dead, total.Liveness + liveness, total.Stalls + stalls);
        }

        Assert.True(total.Dead > 100, $"only {total.Dead} Dead observations");
        Assert.True(total.Liveness > 100, $"only {total.Liveness} liveness checks");
        Assert.True(total.Stalls > 10, $"only {total.Stalls} detected stalls");
    }

    private static (int Dead, int Liveness, int Stalls) RunSeed(int seed)
    {
        var random = new Random(seed);
        using var t = new Timeline();
        PathId[] paths = [Lan, Serial, Disk];
        var options = t.Options;
        long lastWake = long.MinValue;      // last stall the guard must notice (longer than tick + threshold)
        long lastAnyStall = long.MinValue;  // last stall of any length
        int deadVerdicts = 0, livenessChecks = 0;
        t.Beat(2, paths);

        for (int step = 0; step < 4000; step++) // 20 s of 5 ms steps
        {
            int roll = random.Next(1000);
            PathId path = paths[random.Next(paths.Length)];
            if (roll < 4)
            {
                t.Silence(2, path);             // one path cut
            }
            else if (roll < 12)
            {
                t.Beat(2, path);                // one path repaired
            }
            else if (roll < 13)
            {
                t.Silence(2);                   // the peer dies
            }
            else if (roll < 15)
            {
                t.Beat(2, paths);               // the peer comes back on every path
            }
            else if (roll < 17)
            {
                int stallMs = random.Next(50, 3000);
                t.Stall(stallMs);               // this node is frozen
                lastAnyStall = t.Clock.GetTimestamp();
                if (TimeSpan.FromMilliseconds(stallMs) > options.StallGap)
                {
                    lastWake = lastAnyStall;
                }
            }

            int eventsBefore = t.Events.Count;
            t.Run(5);
            long now = t.Clock.GetTimestamp();
            foreach (DetectorEvent dead in t.Events.Skip(eventsBefore).Where(e => e.NewVerdict == Verdict.Dead))
            {
                Assert.False(t.PeerSentWithinDeadtime(2, dead.Timestamp),
                    $"seed {seed} at {(dead.Timestamp - t.StartTimestamp) / TimeSpan.TicksPerMillisecond} ms: Dead event while the peer was sending within deadtime");
            }

            Verdict verdict = t.Verdict();

            bool heardWithinDeadtime = t.PeerSentWithinDeadtime(2, now);
            if (verdict == Verdict.Dead)
            {
                deadVerdicts++;
                Assert.False(heardWithinDeadtime, $"seed {seed} at {t.NowMs} ms: Dead while a path was heard within its deadtime");
                Assert.True(t.Detector.CanTakeOver, $"seed {seed} at {t.NowMs} ms: Dead while this node cannot take over");
                Assert.True(lastWake == long.MinValue || now - lastWake >= options.MaxDeadtime.Ticks,
                    $"seed {seed} at {t.NowMs} ms: Dead within the re-check after a stall");
            }

            // Liveness: every path silent past its deadtime (+ one tick), no recent stall, past initdead.
            bool allSilentLongEnough = paths.All(p =>
                !t.LastSent.TryGetValue((2, p), out long sent) || now - sent >= (options.For(p.Kind).Deadtime + options.TickPeriod).Ticks)
                && paths.All(p => t.LastSent.ContainsKey((2, p)));
            bool noRecentStall = lastAnyStall == long.MinValue || now - lastAnyStall >= (options.MaxDeadtime + options.TickPeriod).Ticks;
            if (allSilentLongEnough && noRecentStall)
            {
                livenessChecks++;
                Assert.True(verdict == Verdict.Dead, $"seed {seed} at {t.NowMs} ms: every path silent past deadtime but verdict {verdict}");
            }
        }

        return (deadVerdicts, livenessChecks, t.Detector.Snapshot().StallCount);
    }
}
