using HwFence.Heartbeat.Frames;
using HwFence.Heartbeat.Tests.Support;
using HwFence.Testing;

namespace HwFence.Heartbeat.Tests.Frames;

/// <summary>Seeded mutation fuzzing of the decoder and receiver (SharpFuzz is not available here): nothing may throw, and nothing mutated may be accepted.</summary>
public class FrameDecoderFuzzTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Mutated_frames_never_throw_and_are_never_accepted(int seed)
    {
        var rng = new Random(seed);
        var time = new FakeTimeProvider();
        var sink = new RecordingSink();
        var counters = new ChannelCounters();
        var receiver = new FrameReceiver(TestIdentities.Node(1), PathId.Lan("fuzz"), new ChannelCallbacks(sink, sink, null, sink), counters, time);
        var sender = new FrameSender(TestIdentities.Node(2), new FixedState(new byte[40]), time);
        var buffer = new byte[FrameLayout.MaxFrameLength + 64];
        int accepted = 0;
        for (int i = 0; i < 30000; i++)
        {
            int n = sender.EncodeHeartbeat(buffer);
            byte[] original = buffer[..n];
            byte[] mutated = Mutate(rng, original);
            DropReason reason = receiver.Receive(mutated);
            bool identical = mutated.AsSpan().SequenceEqual(original);
            if (reason == DropReason.None)
            {
                accepted++;
                Assert.True(identical, $"seed {seed} iteration {i}: a mutated frame was accepted");
            }
        }

        Assert.Equal(accepted, sink.HeartbeatCount);
        Assert.Equal(30000, counters.Accepted + counters.DroppedTotal);
        Assert.True(counters.DroppedTotal > 25000, "the mutator should damage nearly every frame");
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var rng = new Random(99);
        var counters = new ChannelCounters();
        var receiver = new FrameReceiver(TestIdentities.Node(1), PathId.Lan("fuzz"), new ChannelCallbacks(new RecordingSink()), counters, new FakeTimeProvider());
        byte[] buffer = new byte[2000];
        for (int i = 0; i < 20000; i++)
        {
            int n = rng.Next(buffer.Length);
            rng.NextBytes(buffer.AsSpan(0, n));
            if (i % 3 == 0 && n >= 8)
            {
                "HWHB"u8.CopyTo(buffer);
                buffer[4] = 1; // get past magic and version to reach the deeper checks
            }

            Assert.NotEqual(DropReason.None, receiver.Receive(buffer.AsSpan(0, n)));
        }
    }

    private static byte[] Mutate(Random rng, byte[] frame)
    {
        var f = new List<byte>(frame);
        int edits = rng.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            switch (rng.Next(6))
            {
                case 0 when f.Count > 0:
                    f[rng.Next(f.Count)] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1 when f.Count > 0:
                    f[rng.Next(f.Count)] = (byte)rng.Next(256);
                    break;
                case 2 when f.Count > 0:
                    f.RemoveRange(rng.Next(f.Count), 1);
                    break;
                case 3:
                    f.Insert(rng.Next(f.Count + 1), (byte)rng.Next(256));
                    break;
                case 4:
                    int keep = rng.Next(f.Count + 1); // truncate
                    f.RemoveRange(keep, f.Count - keep);
                    break;
                default:
                    // length field set to a random value
                    if (f.Count > FrameLayout.PayloadLengthOffset + 1)
                    {
                        f[FrameLayout.PayloadLengthOffset] = (byte)rng.Next(256);
                    }

                    break;
            }
        }

        return f.ToArray();
    }
}
