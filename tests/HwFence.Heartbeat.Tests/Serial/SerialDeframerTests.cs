using HwFence.Heartbeat.Frames;
using HwFence.Heartbeat.Serial;

namespace HwFence.Heartbeat.Tests.Serial;

public class SerialDeframerTests
{
    private static byte[] Wire(byte[] frame)
    {
        var buffer = new byte[SerialFraming.MaxWireLength];
        return buffer[..SerialFraming.Encode(frame, buffer)];
    }

    private static (SerialDeframer Deframer, List<byte[]> Frames) Make()
    {
        var frames = new List<byte[]>();
        return (new SerialDeframer(f => frames.Add(f.ToArray())), frames);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(253)]
    [InlineData(254)]
    [InlineData(255)]
    [InlineData(508)]
    [InlineData(1232)]
    public void Cobs_round_trips_around_the_254_byte_run_boundary(int length)
    {
        var rng = new Random(length);
        foreach (bool zeros in new[] { false, true })
        {
            byte[] data = new byte[length];
            rng.NextBytes(data);
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = zeros ? (i % 7 == 0 ? (byte)0 : data[i]) : (byte)(data[i] | 1);
            }

            byte[] enc = new byte[Cobs.MaxEncodedLength(length)];
            int n = Cobs.Encode(data, enc);
            Assert.DoesNotContain((byte)0, enc[..n]);
            Assert.Equal(length, Cobs.DecodeInPlace(enc.AsSpan(0, n)));
            Assert.Equal(data, enc[..length]);
        }
    }

    [Fact]
    public void Frames_split_at_every_byte_boundary_are_reassembled()
    {
        byte[] frame = Enumerable.Range(0, 300).Select(i => (byte)(i % 5 == 0 ? 0 : i)).ToArray();
        byte[] wire = [.. Wire(frame), .. Wire(frame)];
        for (int split = 0; split <= wire.Length; split++)
        {
            var (d, frames) = Make();
            d.Feed(wire.AsSpan(0, split));
            d.Feed(wire.AsSpan(split));
            Assert.Equal(2, frames.Count);
            Assert.All(frames, f => Assert.Equal(frame, f));
        }
    }

    [Fact]
    public void Byte_at_a_time_feeding_works()
    {
        byte[] frame = [1, 0, 2, 0, 0, 3];
        var (d, frames) = Make();
        foreach (byte b in Wire(frame))
        {
            d.Feed([b]);
        }

        Assert.Equal(frame, Assert.Single(frames));
    }

    [Fact]
    public void Noise_before_between_and_instead_of_frames_costs_only_the_damaged_frame()
    {
        byte[] a = [10, 20, 30, 0, 40];
        byte[] b = [50, 60];
        var (d, frames) = Make();
        d.Feed([0xFF, 0x13, 0x37, 0x00, 0x42]);     // noise, including a stray delimiter
        d.Feed(Wire(a));
        byte[] damaged = Wire(b);
        damaged[3] ^= 0x10;                          // one flipped byte in flight
        d.Feed(damaged);
        d.Feed([0x99, 0x98]);                        // noise without a delimiter…
        d.Feed(Wire(b));                             // …ended by the next frame's leading delimiter
        Assert.Equal(2, frames.Count);
        Assert.Equal(a, frames[0]);
        Assert.Equal(b, frames[1]);
        Assert.True(d.CrcErrors + d.CobsErrors >= 2);
    }

    [Fact]
    public void A_dropped_byte_loses_one_frame_and_the_next_arrives()
    {
        byte[] frame = Enumerable.Range(1, 80).Select(i => (byte)i).ToArray();
        byte[] first = Wire(frame);
        var (d, frames) = Make();
        d.Feed([.. first[..20], .. first[21..]]);
        d.Feed(Wire(frame));
        Assert.Single(frames);
        Assert.Equal(1, d.CrcErrors + d.CobsErrors);
    }

    [Fact]
    public void An_endless_run_without_delimiters_is_skipped_without_growing_the_buffer()
    {
        var (d, frames) = Make();
        byte[] junk = Enumerable.Repeat((byte)0x55, 10_000).ToArray();
        d.Feed(junk);
        d.Feed(Wire([7, 7, 7]));
        Assert.Equal(1, d.Overruns);
        Assert.Equal(new byte[] { 7, 7, 7 }, Assert.Single(frames));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Fuzz_random_streams_of_frames_noise_drops_and_splits(int seed)
    {
        var rng = new Random(seed);
        var (d, frames) = Make();
        var sent = new List<byte[]>();
        var stream = new List<byte>();
        for (int i = 0; i < 3000; i++)
        {
            byte[] frame = new byte[rng.Next(1, FrameLayout.MaxFrameLength)];
            rng.NextBytes(frame);
            byte[] wire = Wire(frame);
            int damage = rng.Next(10);
            if (damage == 0)
            {
                wire[rng.Next(wire.Length)] ^= (byte)rng.Next(1, 256);   // noise inside (always a change)
            }
            else if (damage == 1)
            {
                wire = [.. wire[..(wire.Length / 2)], .. wire[(wire.Length / 2 + 1)..]]; // dropped byte
            }
            else if (damage == 2)
            {
                byte[] noise = new byte[rng.Next(1, 3000)];
                rng.NextBytes(noise);
                stream.AddRange(noise);                                    // garbage between frames
                sent.Add(frame);
            }
            else
            {
                sent.Add(frame);
            }

            stream.AddRange(wire);
        }

        byte[] all = stream.ToArray();
        int at = 0;
        while (at < all.Length)
        {
            int n = Math.Min(all.Length - at, rng.Next(1, 700));
            d.Feed(all.AsSpan(at, n));
            at += n;
        }

        // Every intact frame arrives, in order; a damaged one never does (CRC-32C misses 1 in 2^32).
        var got = new Queue<byte[]>(frames);
        foreach (byte[] f in sent)
        {
            Assert.True(got.Count > 0, "an intact frame was lost");
            Assert.Equal(f, got.Dequeue());
        }

        Assert.Empty(got);
    }
}
