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
}
