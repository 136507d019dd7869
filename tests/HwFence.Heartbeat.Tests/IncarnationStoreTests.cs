using HwFence.Testing;

namespace HwFence.Heartbeat.Tests;

public sealed class IncarnationStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hwfence-inc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Strictly_increases_across_restarts_even_when_the_clock_goes_back()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_000_000));
        ulong a = IncarnationStore.Next(_dir, time);
        ulong b = IncarnationStore.Next(_dir, time);
        var earlier = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(10)); // clock stepped back
        ulong c = IncarnationStore.Next(_dir, earlier);
        Assert.Equal(1_000_000UL, a);
        Assert.Equal(a + 1, b);
        Assert.Equal(b + 1, c);
        Assert.Equal(c, IncarnationStore.Read(Path.Combine(_dir, IncarnationStore.FileName)));
        Assert.False(File.Exists(Path.Combine(_dir, IncarnationStore.FileName + ".tmp")));
    }

    [Fact]
    public void A_wiped_state_directory_still_comes_back_above_the_old_value_via_the_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(2_000_000));
        ulong before = IncarnationStore.Next(_dir, time);
        File.Delete(Path.Combine(_dir, IncarnationStore.FileName));
        time.Advance(TimeSpan.FromSeconds(30)); // a reboot takes longer than a second
        Assert.True(IncarnationStore.Next(_dir, time) > before);
    }

    [Fact]
    public void A_corrupted_file_is_reported_by_name()
    {
        File.WriteAllText(Path.Combine(_dir, IncarnationStore.FileName), "garbage");
        var e = Assert.Throws<InvalidDataException>(() => IncarnationStore.Next(_dir, new FakeTimeProvider()));
        Assert.Contains(IncarnationStore.FileName, e.Message);
    }

    [Fact]
    public void The_state_directory_is_fsynced_after_the_rename_so_the_new_value_survives_power_loss()
    {
        string file = Path.Combine(_dir, IncarnationStore.FileName);
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(3_000_000));
        var synced = new List<(string Directory, ulong OnDisk, bool TempLeft)>();

        ulong next = IncarnationStore.Next(_dir, time, d => synced.Add((d, IncarnationStore.Read(file), File.Exists(file + ".tmp"))));

        // Exactly one directory fsync, of the state directory, after the rename (the new value is
        // already under the final name and no temporary is left) and before Next returned.
        var only = Assert.Single(synced);
        Assert.Equal(Path.GetFullPath(_dir), only.Directory);
        Assert.Equal(next, only.OnDisk);
        Assert.False(only.TempLeft);
    }

    [Fact]
    public void State_directories_created_now_are_made_durable_in_their_parents_too()
    {
        string parent = Path.Combine(_dir, "var"), fresh = Path.Combine(parent, "state");
        var synced = new List<string>();

        IncarnationStore.Next(fresh, new FakeTimeProvider(), synced.Add);

        // var's entry in _dir, state's entry in var, then the rename in state.
        Assert.Equal([Path.GetFullPath(_dir), Path.GetFullPath(parent), Path.GetFullPath(fresh)], synced);
    }

    [Fact]
    public void A_failed_directory_fsync_fails_Next_rather_than_hand_out_a_value_that_may_not_survive()
    {
        var e = Assert.Throws<IOException>(() => IncarnationStore.Next(_dir, new FakeTimeProvider(), d => throw new IOException($"directory {d}: fsync failed: EIO")));
        Assert.Contains(_dir, e.Message);
    }

    [Fact]
    public void The_real_directory_fsync_runs_on_this_file_system()
    {
        // The public overload uses Hal's DirectorySync (open O_DIRECTORY, fsync(2), close) on the real directory.
        string nested = Path.Combine(_dir, "a", "b");
        ulong first = IncarnationStore.Next(nested, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(5)));
        ulong second = IncarnationStore.Next(nested, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(5)));
        Assert.Equal(first + 1, second);
        Assert.Equal(second, IncarnationStore.Read(Path.Combine(nested, IncarnationStore.FileName)));
    }
}
