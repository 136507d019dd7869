using HwFence.Heartbeat.Frames;

namespace HwFence.Heartbeat.Tests.Frames;

public class ReplayWindowTests
{
    [Fact]
    public void In_order_sequences_are_accepted_once()
    {
        var w = new ReplayWindow();
        for (ulong s = 1; s <= 200; s++)
        {
            Assert.Equal(DropReason.None, w.CheckAndUpdate(5, s));
            Assert.Equal(DropReason.Replay, w.CheckAndUpdate(5, s));
        }
    }

    [Fact]
    public void Reordering_within_64_is_accepted_and_older_is_out_of_window()
    {
        var w = new ReplayWindow();
        Assert.Equal(DropReason.None, w.CheckAndUpdate(1, 100));
        Assert.Equal(DropReason.None, w.CheckAndUpdate(1, 37));   // 63 behind: last slot of the window
        Assert.Equal(DropReason.Replay, w.CheckAndUpdate(1, 37));
        Assert.Equal(DropReason.OutOfWindow, w.CheckAndUpdate(1, 36)); // 64 behind
        Assert.Equal(DropReason.None, w.CheckAndUpdate(1, 99));
        Assert.Equal(DropReason.None, w.CheckAndUpdate(1, 300));  // jump beyond the window clears it
        Assert.Equal(DropReason.OutOfWindow, w.CheckAndUpdate(1, 100));
        Assert.Equal(DropReason.None, w.CheckAndUpdate(1, 299));
    }

    [Fact]
    public void A_new_incarnation_resets_and_an_old_one_is_stale()
    {
        var w = new ReplayWindow();
        Assert.Equal(DropReason.None, w.CheckAndUpdate(10, 5000));
        Assert.Equal(DropReason.None, w.CheckAndUpdate(11, 1));      // the sender restarted
        Assert.Equal(DropReason.StaleIncarnation, w.CheckAndUpdate(10, 5001));
        Assert.Equal(DropReason.None, w.CheckAndUpdate(11, 2));
        Assert.Equal(11UL, w.Incarnation);
        Assert.Equal(2UL, w.Highest);
    }

    [Fact]
    public void Matches_a_reference_set_model_under_random_traffic()
    {
        var rng = new Random(4242);
        var w = new ReplayWindow();
        var seen = new HashSet<ulong>();
        ulong highest = 0;
        for (int i = 0; i < 20000; i++)
        {
            ulong s = (ulong)Math.Max(1, (long)highest + rng.Next(-80, 10));
            DropReason expected = s > highest ? DropReason.None
                : highest - s >= 64 ? DropReason.OutOfWindow
                : seen.Contains(s) ? DropReason.Replay : DropReason.None;
            Assert.Equal(expected, w.CheckAndUpdate(1, s));
            if (expected == DropReason.None)
            {
                seen.Add(s);
                highest = Math.Max(highest, s);
            }
        }
    }
}
