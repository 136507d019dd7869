using HwFence.Heartbeat.Frames;
using HwFence.Heartbeat.Tests.Support;
using HwFence.Testing;

namespace HwFence.Heartbeat.Tests.Frames;

public class FrameReceiverTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingSink _sink = new();
    private readonly FrameReceiver _receiver;
    private readonly ChannelCounters _counters = new();

    public FrameReceiverTests()
    {
        _receiver = new FrameReceiver(TestIdentities.Node(1), PathId.Lan("127.0.0.1"), new ChannelCallbacks(_sink, _sink, null, _sink), _counters, _time);
    }

    private byte[] Heartbeat(FrameSender sender)
    {
        var buffer = new byte[FrameLayout.MaxFrameLength];
        return buffer[..sender.EncodeHeartbeat(buffer)];
    }

    [Fact]
    public void A_heartbeat_is_reported_with_peer_path_sequence_receive_time_and_state()
    {
        var sender = new FrameSender(TestIdentities.Node(2, incarnation: 7), new FixedState([0xAB, 0xCD]), _time);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(DropReason.None, _receiver.Receive(Heartbeat(sender)));

        var r = Assert.Single(_sink.Heartbeats);
        Assert.Equal(new HeartbeatReceipt(2, PathId.Lan("127.0.0.1"), 7, 1, _time.GetTimestamp()), r);
        var s = Assert.Single(_sink.States);
        Assert.Equal((2, 7UL), (s.Peer, s.Incarnation));
        Assert.Equal(new byte[] { 0xAB, 0xCD }, s.State);
        Assert.Equal(1, _counters.Accepted);
    }

    [Fact]
    public void Replayed_frame_is_dropped_and_counted()
    {
        var sender = new FrameSender(TestIdentities.Node(2), null, _time);
        byte[] f = Heartbeat(sender);
        Assert.Equal(DropReason.None, _receiver.Receive(f));
        Assert.Equal(DropReason.Replay, _receiver.Receive(f));
        Assert.Equal(1, _counters.Dropped(DropReason.Replay));
        Assert.Single(_sink.Heartbeats);
    }

    [Fact]
    public void Frame_older_than_the_window_is_out_of_window()
    {
        var sender = new FrameSender(TestIdentities.Node(2), null, _time);
        byte[] old = Heartbeat(sender);
        for (int i = 0; i < 64; i++)
        {
            Assert.Equal(DropReason.None, _receiver.Receive(Heartbeat(sender)));
        }

        Assert.Equal(DropReason.OutOfWindow, _receiver.Receive(old));
        Assert.Equal(1, _counters.Dropped(DropReason.OutOfWindow));
    }

    [Fact]
    public void Frames_from_before_a_restart_are_stale_after_the_new_incarnation_was_heard()
    {
        var before = new FrameSender(TestIdentities.Node(2, incarnation: 100), null, _time);
        var after = new FrameSender(TestIdentities.Node(2, incarnation: 101), null, _time);
        byte[] delayed = Heartbeat(before);
        Assert.Equal(DropReason.None, _receiver.Receive(Heartbeat(after)));
        Assert.Equal(DropReason.StaleIncarnation, _receiver.Receive(delayed));
        Assert.Equal(1, _counters.Dropped(DropReason.StaleIncarnation));
    }

    [Fact]
    public void Foreign_bad_tag_truncated_own_and_misaddressed_frames_are_each_counted()
    {
        var foreign = new FrameSender(TestIdentities.Node(2, clusterId: 77), null, _time);
        Assert.Equal(DropReason.ForeignCluster, _receiver.Receive(Heartbeat(foreign)));

        byte[] tampered = Heartbeat(new FrameSender(TestIdentities.Node(2), null, _time));
        tampered[FrameLayout.TimestampOffset] ^= 1;
        Assert.Equal(DropReason.BadTag, _receiver.Receive(tampered));

        byte[] whole = Heartbeat(new FrameSender(TestIdentities.Node(2), null, _time));
        Assert.Equal(DropReason.Malformed, _receiver.Receive(whole.AsSpan(0, whole.Length - 1)));

        Assert.Equal(DropReason.OwnFrame, _receiver.Receive(Heartbeat(new FrameSender(TestIdentities.Node(1), null, _time))));

        var buffer = new byte[FrameLayout.MaxFrameLength];
        int n = new FrameSender(TestIdentities.Node(2), null, _time).EncodeMessage(3, [1], buffer);
        Assert.Equal(DropReason.NotForUs, _receiver.Receive(buffer.AsSpan(0, n)));

        Assert.Empty(_sink.Heartbeats);
        Assert.Empty(_sink.Messages);
        foreach (var reason in new[] { DropReason.ForeignCluster, DropReason.BadTag, DropReason.Malformed, DropReason.OwnFrame, DropReason.NotForUs })
        {
            Assert.Equal(1, _counters.Dropped(reason));
        }

        Assert.Equal(5, _counters.DroppedTotal);
        Assert.Contains(_counters.Snapshot(), kv => kv.Key == "drop-foreign-cluster" && kv.Value == 1);
    }

    [Fact]
    public void Messages_go_to_the_message_sink_and_share_the_replay_window()
    {
        var sender = new FrameSender(TestIdentities.Node(2), null, _time);
        var buffer = new byte[FrameLayout.MaxFrameLength];
        int n = sender.EncodeMessage(1, "replicate v17"u8, buffer);
        Assert.Equal(DropReason.None, _receiver.Receive(buffer.AsSpan(0, n)));
        Assert.Equal(DropReason.Replay, _receiver.Receive(buffer.AsSpan(0, n)));
        var m = Assert.Single(_sink.Messages);
        Assert.Equal("replicate v17"u8.ToArray(), m.Payload);
        Assert.Empty(_sink.Heartbeats);
    }

    [Fact]
    public void Steady_state_encode_and_receive_allocate_nothing()
    {
        var sender = new FrameSender(TestIdentities.Node(2), new FixedState(new byte[64]), _time);
        var quiet = new ChannelCallbacks(new NullSink());
        var receiver = new FrameReceiver(TestIdentities.Node(1), PathId.Lan("x"), quiet, new ChannelCounters(), _time);
        var buffer = new byte[FrameLayout.MaxFrameLength];
        for (int i = 0; i < 100; i++)
        {
            receiver.Receive(buffer.AsSpan(0, sender.EncodeHeartbeat(buffer))); // warm up: first sender allocates its window
        }

        int accepted = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            int n = sender.EncodeHeartbeat(buffer);
            accepted += receiver.Receive(buffer.AsSpan(0, n)) == DropReason.None ? 1 : 0; // no Assert inside: xunit's asserts allocate
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1000, accepted);
        Assert.Equal(0, allocated);
    }

    private sealed class NullSink : IHeartbeatSink
    {
        public void OnHeartbeat(in HeartbeatReceipt receipt)
        {
        }

        public void OnLocalPathState(PathId path, bool usable, string? reason)
        {
        }
    }
}
