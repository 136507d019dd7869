using System.Text.Json;
using System.Text.RegularExpressions;
using HwFence.Cli.Tests.Demo;
using HwFence.Hal.Serial;
using HwFence.Heartbeat.Security;

namespace HwFence.Cli.Tests.Heartbeat;

/// <summary>
/// <c>hwfence heartbeat serial</c> as two real processes at the two ends of a pseudo-terminal null-modem cable
/// (<see cref="NullModemCable"/>): they hear each other, a cut cable takes the path Down and reconnecting brings
/// it Up; a peer with another key is dropped as a bad tag; a readable key file and bad arguments are refused.
/// </summary>
public sealed class HeartbeatSerialCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hwfence-hb-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Key(string name)
    {
        string path = Path.Combine(_dir, name);
        ClusterKey.Generate(path);
        return path;
    }

    private static Task<HwFenceProcess.Result> End(string tty, string key, int node, int peer, double seconds) =>
        Task.Run(() => HwFenceProcess.Run(TimeSpan.FromSeconds(seconds + 60), "heartbeat", "serial", "--device", tty, "--key", key,
            "--cluster-id", "7", "--node-id", node.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--peer-id", peer.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--duration", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json",
            "--interval", "100", "--warntime", "300", "--deadtime", "600")); // the demo's timings: a cut shows within a second

    private static HwFenceProcess.Running Start(string tty, string key, int node, int peer) =>
        HwFenceProcess.Start("heartbeat", "serial", "--device", tty, "--key", key,
            "--cluster-id", "7", "--node-id", node.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--peer-id", peer.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json",
            "--interval", "100", "--warntime", "1000", "--deadtime", "2000");

    /// <summary>The path states a running end has reported so far, space-separated (a line still being written is skipped).</summary>
    private static string PathStatesSoFar(HwFenceProcess.Running end) =>
        string.Join(" ", end.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.Contains("\"event\":\"path\"", StringComparison.Ordinal) && l.TrimEnd().EndsWith('}'))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("to").GetString()));

    private static async Task WaitForAsync(Func<bool> condition, string what, HwFenceProcess.Running a, HwFenceProcess.Running b)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited 60 s for {what}; end 1 so far: {PathStatesSoFar(a)}; end 2 so far: {PathStatesSoFar(b)}");
            await Task.Delay(50);
        }
    }

    private static List<JsonElement> Lines(HwFenceProcess.Result r) =>
        r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static IEnumerable<string> PathStates(List<JsonElement> lines) =>
        lines.Where(l => l.GetProperty("event").GetString() == "path").Select(l => l.GetProperty("to").GetString()!);

    private static JsonElement Counters(List<JsonElement> lines) => lines.Single(l => l.GetProperty("event").GetString() == "end").GetProperty("counters");

    [Fact]
    public async Task Both_ends_hear_each_other_and_a_cut_cable_goes_down_then_up_again()
    {
        using var cable = NullModemCable.Create();
        string key = Key("authkey");
        // No --duration: the test stops the ends with SIGTERM, end 1 first while end 2 still sends (with a duration each
        // would stop on its own clock, and the one that outlives the other — by its later start — rightly sees its
        // peer go silent). Warntime 1 s / deadtime 2 s: a cut still shows within seconds, and a test process
        // starved for a few hundred ms on a loaded CI machine does not look like one.
        using var a = Start(cable.PathA, key, 1, 2);
        using var b = Start(cable.PathB, key, 2, 1);

        await WaitForAsync(() => PathStatesSoFar(a).Contains("Up") && PathStatesSoFar(b).Contains("Up"), "both ends to hear each other", a, b);
        await Task.Delay(1000);
        cable.Cut();
        await WaitForAsync(() => PathStatesSoFar(a).EndsWith("Down", StringComparison.Ordinal) && PathStatesSoFar(b).EndsWith("Down", StringComparison.Ordinal), "the cut to take both paths Down", a, b);
        cable.Reconnect();
        await WaitForAsync(() => Regex.IsMatch(PathStatesSoFar(a), "Down Up$") && Regex.IsMatch(PathStatesSoFar(b), "Down Up$"), "both paths Up again after the reconnect", a, b);
        await Task.Delay(1000);
        string endTwoBeforeStop = PathStatesSoFar(b);
        a.Terminate();
        var first = await a.WaitAsync(TimeSpan.FromSeconds(30));
        b.Terminate();
        var second = await b.WaitAsync(TimeSpan.FromSeconds(30));

        // End 1 stopped while its peer was sending: Up at the end, exit 0. End 2 outlived its peer by the moment
        // between the two signals, so only what it reported while both ran is judged.
        Assert.True(first.ExitCode == 0, $"exit {first.ExitCode}: {first.Out}\n{first.Error}");
        Assert.Matches("Up.*Down.*Up$", string.Join(" ", PathStates(Lines(first))));
        Assert.Matches("Up.*Down.*Up$", endTwoBeforeStop);
        Assert.StartsWith(endTwoBeforeStop, string.Join(" ", PathStates(Lines(second))), StringComparison.Ordinal);
        foreach (var (end, peer) in new[] { (first, 2), (second, 1) })
        {
            var lines = Lines(end);
            var frames = lines.Where(l => l.GetProperty("event").GetString() == "frame").Select(l => l.GetProperty("sequence").GetUInt64()).ToList();
            Assert.All(frames, _ => Assert.Equal(peer, lines.First(l => l.GetProperty("event").GetString() == "frame").GetProperty("peer").GetInt32()));
            Assert.Equal(frames.OrderBy(s => s), frames); // strictly in order, nothing replayed
            Assert.Equal(frames.Count, frames.Distinct().Count());
            var counters = Counters(lines);
            Assert.Equal(0, counters.GetProperty("drop-bad-tag").GetInt64());
            Assert.Equal(0, counters.GetProperty("drop-replay").GetInt64());
            Assert.Equal(frames.Count, counters.GetProperty("accepted").GetInt64());
        }
    }

    [Fact]
    public async Task A_peer_with_another_key_is_dropped_as_a_bad_tag_and_the_path_never_comes_up()
    {
        using var cable = NullModemCable.Create();
        var a = End(cable.PathA, Key("ours"), 1, 2, 5);
        var b = End(cable.PathB, Key("theirs"), 2, 1, 5);
        var ours = await a;
        await b;

        Assert.True(ours.ExitCode == 1, $"exit {ours.ExitCode}: {ours.Out}\n{ours.Error}");
        var lines = Lines(ours);
        Assert.DoesNotContain("Up", PathStates(lines));
        Assert.DoesNotContain(lines, l => l.GetProperty("event").GetString() == "frame");
        Assert.True(Counters(lines).GetProperty("drop-bad-tag").GetInt64() > 10, Counters(lines).ToString());
        Assert.Equal("Down", lines.Single(l => l.GetProperty("event").GetString() == "end").GetProperty("path").GetString());
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_key_file_readable_by_others_and_bad_arguments_are_refused()
    {
        using var pty = PseudoTerminal.Open();
        string key = Key("loose");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var loose = HwFenceProcess.Run(TimeSpan.FromSeconds(60), "heartbeat", "serial", "--device", pty.SlavePath, "--key", key,
            "--cluster-id", "7", "--node-id", "1", "--peer-id", "2", "--duration", "1");
        Assert.Equal(1, loose.ExitCode);
        Assert.Contains(key, loose.Error, StringComparison.Ordinal);
        Assert.Contains("chmod 600", loose.Error, StringComparison.Ordinal);

        var same = HwFenceProcess.Run(TimeSpan.FromSeconds(60), "heartbeat", "serial", "--device", pty.SlavePath, "--key", key,
            "--cluster-id", "7", "--node-id", "1", "--peer-id", "1");
        Assert.Equal(2, same.ExitCode);
        Assert.Contains("--peer-id must differ from --node-id", same.Error, StringComparison.Ordinal);

        var baud = HwFenceProcess.Run(TimeSpan.FromSeconds(60), "heartbeat", "serial", "--device", pty.SlavePath, "--key", key,
            "--cluster-id", "7", "--node-id", "1", "--peer-id", "2", "--baud", "300");
        Assert.Equal(2, baud.ExitCode);
        Assert.Contains("baud rate 300 must be 9600–921600", baud.Error, StringComparison.Ordinal);

        // 19200 baud cannot carry the largest frame every 100 ms (fine at the default 1 s): refused with the remedy.
        var slow = HwFenceProcess.Run(TimeSpan.FromSeconds(60), "heartbeat", "serial", "--device", pty.SlavePath, "--key", key,
            "--cluster-id", "7", "--node-id", "1", "--peer-id", "2", "--baud", "19200", "--interval", "100");
        Assert.Equal(2, slow.ExitCode);
        Assert.Contains("raise the baud rate or the interval", slow.Error, StringComparison.Ordinal);
    }
}
