using System.Buffers.Binary;
using HwFence.Heartbeat.Frames;
using HwFence.Heartbeat.Security;
using HwFence.Heartbeat.Tests.Support;

namespace HwFence.Heartbeat.Tests.Frames;

public class FrameCodecTests
{
    private static readonly FrameHeader Header = new(FrameType.Heartbeat, TestIdentities.ClusterId, 3, 0, 42, 7, 123_456_789);

    private static byte[] Encode(FrameHeader header, byte[] payload, ClusterKey? key = null)
    {
        var buffer = new byte[FrameLayout.MaxFrameLength];
        int n = FrameCodec.Encode(header, payload, key ?? TestIdentities.Key, buffer);
        return buffer[..n];
    }

    [Fact]
    public void Heartbeat_round_trips_every_field_and_the_state_section()
    {
        byte[] state = [1, 2, 3, 0, 255];
        byte[] frame = Encode(Header, state);

        Assert.Equal(FrameLayout.Overhead + state.Length, frame.Length);
        Assert.Equal(DropReason.None, FrameCodec.TryDecode(frame, TestIdentities.ClusterId, TestIdentities.Key, out var decoded));
        Assert.Equal(Header, decoded.Header);
        Assert.Equal(state, decoded.Payload.ToArray());
    }

    [Fact]
    public void Message_round_trips_at_the_size_limit()
    {
        var header = Header with { Type = FrameType.Message, Destination = 9 };
        byte[] payload = Enumerable.Range(0, FrameLayout.MaxMessageLength).Select(i => (byte)i).ToArray();
        byte[] frame = Encode(header, payload);

        Assert.Equal(FrameLayout.MaxFrameLength, frame.Length);
        Assert.Equal(1232, frame.Length); // IPv6 minimum MTU 1280 - 40 - 8
        Assert.Equal(DropReason.None, FrameCodec.TryDecode(frame, TestIdentities.ClusterId, TestIdentities.Key, out var decoded));
        Assert.Equal(header, decoded.Header);
        Assert.Equal(payload, decoded.Payload.ToArray());
    }

    [Fact]
    public void Wire_layout_is_big_endian_at_the_documented_offsets()
    {
        byte[] frame = Encode(Header, []);
        Assert.Equal("HWHB"u8.ToArray(), frame[..4]);
        Assert.Equal(FrameLayout.Version, frame[4]);
        Assert.Equal((byte)FrameType.Heartbeat, frame[5]);
        Assert.Equal(TestIdentities.ClusterId, BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(8)));
        Assert.Equal(3, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(16)));
        Assert.Equal(42UL, BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(20)));
        Assert.Equal(7UL, BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(28)));
    }

    [Fact]
    public void Every_single_bit_flip_is_dropped_and_never_throws()
    {
        byte[] frame = Encode(Header, [9, 8, 7]);
        for (int bit = 0; bit < frame.Length * 8; bit++)
        {
            byte[] tampered = (byte[])frame.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            DropReason reason = FrameCodec.TryDecode(tampered, TestIdentities.ClusterId, TestIdentities.Key, out _);
            Assert.NotEqual(DropReason.None, reason);
            int offset = bit / 8;
            DropReason expected = offset switch
            {
                < 4 => DropReason.Malformed,                   // magic
                4 => DropReason.WrongVersion,
                >= 8 and < 16 => DropReason.ForeignCluster,
                _ => reason, // type/length/ids: malformed or bad tag depending on the value
            };
            Assert.Equal(expected, reason);
        }
    }

    [Fact]
    public void Tampered_payload_timestamp_and_tag_are_bad_tag()
    {
        byte[] frame = Encode(Header, [1, 2, 3]);
        foreach (int offset in new[] { FrameLayout.IncarnationOffset, FrameLayout.SequenceOffset + 7, FrameLayout.TimestampOffset, FrameLayout.HeaderLength, frame.Length - 1 })
        {
            byte[] t = (byte[])frame.Clone();
            t[offset] ^= 0x40;
            Assert.Equal(DropReason.BadTag, FrameCodec.TryDecode(t, TestIdentities.ClusterId, TestIdentities.Key, out _));
        }
    }

    [Fact]
    public void Truncated_at_every_length_is_malformed()
    {
        byte[] frame = Encode(Header, [1, 2, 3]);
        for (int length = 0; length < frame.Length; length++)
        {
            Assert.Equal(DropReason.Malformed, FrameCodec.TryDecode(frame.AsSpan(0, length), TestIdentities.ClusterId, TestIdentities.Key, out _));
        }

        byte[] padded = [.. frame, 0];
        Assert.Equal(DropReason.Malformed, FrameCodec.TryDecode(padded, TestIdentities.ClusterId, TestIdentities.Key, out _));
    }

    [Fact]
    public void Frame_of_another_cluster_is_foreign_even_with_its_own_valid_tag()
    {
        var otherKey = ClusterKey.FromBytes(new byte[32]);
        byte[] frame = Encode(Header with { ClusterId = 99 }, [], otherKey);
        Assert.Equal(DropReason.ForeignCluster, FrameCodec.TryDecode(frame, TestIdentities.ClusterId, TestIdentities.Key, out _));
    }

    [Fact]
    public void Same_cluster_id_with_a_different_key_is_bad_tag()
    {
        var otherKey = ClusterKey.FromBytes(Enumerable.Repeat((byte)0x55, 32).ToArray());
        byte[] frame = Encode(Header, [], otherKey);
        Assert.Equal(DropReason.BadTag, FrameCodec.TryDecode(frame, TestIdentities.ClusterId, TestIdentities.Key, out _));
    }

    [Fact]
    public void Future_version_is_wrong_version()
    {
        byte[] frame = Encode(Header, []);
        frame[FrameLayout.VersionOffset] = 2;
        Assert.Equal(DropReason.WrongVersion, FrameCodec.TryDecode(frame, TestIdentities.ClusterId, TestIdentities.Key, out _));
    }

    [Fact]
    public void Encode_refuses_oversized_payloads_with_the_limit_in_the_message()
    {
        var e = Assert.Throws<ArgumentException>(() => Encode(Header, new byte[FrameLayout.MaxStateLength + 1]));
        Assert.Contains("256", e.Message);
        e = Assert.Throws<ArgumentException>(() => Encode(Header with { Type = FrameType.Message, Destination = 2 }, new byte[FrameLayout.MaxMessageLength + 1]));
        Assert.Contains("1172", e.Message);
    }

    [Fact]
    public void Sender_zero_and_sequence_zero_are_malformed()
    {
        byte[] frame = Encode(Header, []);
        byte[] a = (byte[])frame.Clone();
        a[FrameLayout.SenderOffset] = 0;
        a[FrameLayout.SenderOffset + 1] = 0;
        Assert.Equal(DropReason.Malformed, FrameCodec.TryDecode(a, TestIdentities.ClusterId, TestIdentities.Key, out _));
        byte[] b = (byte[])frame.Clone();
        b.AsSpan(FrameLayout.SequenceOffset, 8).Clear();
        Assert.Equal(DropReason.Malformed, FrameCodec.TryDecode(b, TestIdentities.ClusterId, TestIdentities.Key, out _));
    }
}
