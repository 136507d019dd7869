using HwFence.Hal.Serial;
using HwFence.Heartbeat.Frames;
using HwFence.Heartbeat.Serial;
using HwFence.Heartbeat.Tests.Support;
using HwFence.Testing;

namespace HwFence.Heartbeat.Tests.Serial;

/// <summary>
/// Two serial channels over real pseudo-terminal pairs joined by <see cref="NullModemCable"/>
/// (termios, poll(2), real relay threads); the send timers run on a fake clock.
/// </summary>
public sealed class SerialChannelTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("hwfence-serial-").FullName;
    private readonly List<IDisposable> _cleanup = new();
    private readonly TermiosSerialPortFactory _ports;

    public SerialChannelTests() => _ports = new TermiosSerialPortFactory(_dir); // UUCP lock files in a private directory

    public void Dispose()
    {
        foreach (var d in Enumerable.Reverse(_cleanup))
        {
            d.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private NullModemCable Cable(int seed = 1)
    {
        var cable = NullModemCable.Create(seed);
        _cleanup.Add(cable);
        return cable;
    }

    private (SerialChannel Channel, RecordingSink Sink) Node(int id, string device, int baud = 19200, IHeartbeatStateProvider? state = null)
    {
        var sink = new RecordingSink();
        var options = new SerialChannelOptions { Device = device, Settings = new SerialPortSettings(BaudRate: baud), PeerNodeId = 3 - id };
        var channel = new SerialChannel(TestIdentities.Node(id), options, new ChannelCallbacks(sink, sink, state, sink), _ports, _time);
        _cleanup.Add(channel);
        return (channel, sink);
    }

    private void Beat(int times, params RecordingSink[] sinks)
    {
        for (int i = 0; i < times; i++)
        {
            int[] before = sinks.Select(s => s.HeartbeatCount).ToArray();
            _time.Advance(TimeSpan.FromSeconds(1));
            for (int k = 0; k < sinks.Length; k++)
            {
                int want = before[k] + 1;
                sinks[k].WaitUntil(s => s.Heartbeats.Count >= want, $"heartbeat #{want} on sink {k}");
            }
        }
    }

    [Fact]
    public void Heartbeats_and_messages_flow_both_ways_over_a_pty_null_modem()
    {
        var cable = Cable();
        var (a, sinkA) = Node(1, cable.PathA, state: new FixedState([1, 2, 3]));
        var (b, sinkB) = Node(2, cable.PathB);
        a.Start();
        b.Start();
        Assert.True(a.LocallyUsable && b.LocallyUsable);

        Beat(3, sinkA, sinkB);
        var r = sinkB.Snapshot(s => s.Heartbeats.Last());
        Assert.Equal(1, r.PeerNodeId);
        Assert.Equal(PathId.Serial(cable.PathB), r.Path); // the receiver's own end names the path
        Assert.Equal(new byte[] { 1, 2, 3 }, sinkB.Snapshot(s => s.States.Last().State));

        Assert.True(b.SendMessage(1, "hello over the wire"u8));
        sinkA.WaitUntil(s => s.Messages.Count == 1, "the message");
        Assert.Equal(0, a.Counters.FramingErrors + b.Counters.FramingErrors);
        Assert.Equal(0, a.Counters.DroppedTotal + b.Counters.DroppedTotal);
    }

    [Fact]
    public void A_cut_cable_silences_the_peer_without_making_the_path_locally_unusable_and_reconnecting_resumes()
    {
        var cable = Cable();
        var (a, sinkA) = Node(1, cable.PathA);
        var (b, sinkB) = Node(2, cable.PathB);
        a.Start();
        b.Start();
        Beat(1, sinkA, sinkB);

        cable.Cut();
        long lostBefore = cable.Counters.LostWhileCut;
        int heardBefore = sinkB.HeartbeatCount;
        for (int i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(cable.WaitForCounters(c => c.LostWhileCut >= lostBefore + 6 * 67, RecordingSink.WaitLimit), "the relay should have swallowed both directions' frames");
        Assert.Equal(heardBefore, sinkB.HeartbeatCount);
        Assert.True(a.LocallyUsable && b.LocallyUsable); // a cut is the peer going silent, not our end failing

        cable.Reconnect();
        Beat(2, sinkA, sinkB);
        Assert.DoesNotContain(sinkA.Snapshot(s => s.PathStates.ToArray()), p => !p.Usable);
    }

    [Fact]
    public void Line_noise_costs_only_damaged_frames_and_is_counted()
    {
        var cable = Cable(seed: 7);
        var (a, _) = Node(1, cable.PathA, state: new FixedState(new byte[100]));
        var (b, sinkB) = Node(2, cable.PathB);
        a.Start();
        b.Start();
        cable.BitFlipRate = 0.002;
        cable.GarbageRate = 0.002;
        cable.DropRate = 0.001;
        for (int i = 0; i < 60; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        // 60 frames of 167 wire bytes ≈ 10 000 bytes at ~0.5 % damage: most frames arrive, some do not.
        // The relay works on its own thread: let it carry (and damage) those bytes before the line is cleaned.
        Assert.True(cable.WaitForCounters(c => c.ForwardedAToB + c.Dropped >= 60 * 167 - 100, RecordingSink.WaitLimit), "the relay should carry the frames");
        cable.BitFlipRate = cable.GarbageRate = cable.DropRate = 0;
        _time.Advance(TimeSpan.FromSeconds(1)); // a clean frame ends any damaged run
        sinkB.WaitUntil(s => s.Heartbeats.Any(h => h.Sequence == 61), "the clean frame after the noise");
        var c = cable.Counters;
        Assert.True(c.Flipped + c.Inserted + c.Dropped > 0, "the cable should have damaged bytes");
        Assert.True(b.Counters.FramingErrors + a.Counters.FramingErrors > 0,
            $"damage should show as framing errors (cable {c}; b heard {sinkB.HeartbeatCount}, drops {b.Counters.DroppedTotal})");
        Assert.InRange(sinkB.HeartbeatCount, 30, 60);
        Assert.Equal(0, b.Counters.Dropped(DropReason.BadTag)); // CRC-32C caught everything before the HMAC
    }

    [Fact]
    public void Full_size_heartbeats_keep_up_on_a_line_throttled_to_19200_baud()
    {
        var cable = Cable();
        cable.BaudRate = 19200;
        var (a, sinkA) = Node(1, cable.PathA, state: new FixedState(new byte[FrameLayout.MaxStateLength]));
        var (b, sinkB) = Node(2, cable.PathB, state: new FixedState(Enumerable.Repeat((byte)0xA5, FrameLayout.MaxStateLength).ToArray()));
        a.Start();
        b.Start();
        Beat(4, sinkA, sinkB); // each beat: 324 bytes = 169 ms of line time per direction
        Assert.Equal(4, sinkA.HeartbeatCount);
        Assert.Equal(4, sinkB.HeartbeatCount);
        Assert.Equal(0, a.Counters.SendErrors + b.Counters.SendErrors);
    }

    [Fact]
    public void An_unplugged_device_is_reported_and_reopened_when_it_returns()
    {
        // A stable device name (as udev gives /dev/serial/by-id/...) pointing at a pty that can vanish.
        string device = Path.Combine(_dir, "ttyHB0");
        var first = NullModemCable.Create(seed: 3);
        File.CreateSymbolicLink(device, first.PathA);
        var (a, sinkA) = Node(1, device);
        a.Start();
        Assert.True(a.LocallyUsable);

        first.Dispose(); // the adapter is pulled: the pty master closes, the slave hangs up
        File.Delete(device);
        sinkA.WaitUntil(s => s.PathStates.Any(p => !p.Usable), "the unplug to be noticed");
        Assert.Contains("unplugged", sinkA.Snapshot(s => s.PathStates.Last().Reason));

        _time.Advance(TimeSpan.FromSeconds(1)); // reopen attempt while gone: still unusable
        Assert.False(a.LocallyUsable);

        var second = Cable(seed: 4); // plugged back in (a new pty behind the same name)
        File.CreateSymbolicLink(device, second.PathA);
        var (b, sinkB) = Node(2, second.PathB);
        b.Start();
        for (int i = 0; i < 4 && !a.LocallyUsable; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1)); // backoff 1 s, 2 s…
        }

        Assert.True(a.LocallyUsable);
        Beat(1, sinkA, sinkB);
    }

    [Fact]
    public void Options_refuse_a_line_too_slow_for_the_interval()
    {
        var options = new SerialChannelOptions { Device = "/dev/ttyS1", Settings = new SerialPortSettings(BaudRate: 9600), Interval = TimeSpan.FromMilliseconds(400) };
        Assert.Contains(options.Validate(), e => e.Contains("raise the baud rate or the interval"));
        Assert.Empty(new SerialChannelOptions { Device = "/dev/ttyS1" }.Validate()); // 19200 at 1 s: fine
    }
}
