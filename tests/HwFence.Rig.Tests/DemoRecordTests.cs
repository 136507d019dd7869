using System.Buffers.Binary;
using System.Text;

namespace HwFence.Rig.Tests;

public sealed class DemoRecordTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Record_round_trips_through_one_block()
    {
        byte[] block = new byte[512];
        uint crc = DemoRecord.Write(block, 3, 7, 42, T0.AddMilliseconds(123), "hello"u8);
        Assert.Equal(DemoBlockKind.Record, DemoRecord.TryRead(block, out DemoRecord? r, out string? error));
        Assert.Null(error);
        Assert.Equal((3, 7UL, 42UL, T0.AddMilliseconds(123), "hello", crc), (r!.NodeId, r.Incarnation, r.Sequence, r.Timestamp, Encoding.UTF8.GetString(r.Payload), r.Crc));
        Assert.Equal("HWFDEMO1"u8.ToArray(), block[..8]);
        Assert.Equal(42UL, BinaryPrimitives.ReadUInt64BigEndian(block.AsSpan(DemoRecord.SequenceOffset)));
    }

    [Fact]
    public void Zero_block_is_empty_and_other_data_is_foreign()
    {
        Assert.Equal(DemoBlockKind.Empty, DemoRecord.TryRead(new byte[512], out _, out _));
        byte[] other = new byte[512];
        other[100] = 1;
        Assert.Equal(DemoBlockKind.Foreign, DemoRecord.TryRead(other, out _, out _));
    }

    [Fact]
    public void Every_flipped_bit_is_caught_by_the_crc_or_the_length_check()
    {
        var random = new Random(7);
        byte[] good = new byte[512];
        DemoRecord.Write(good, 1, 1, 9, T0, "payload"u8);
        for (int i = 0; i < 2000; i++)
        {
            byte[] block = (byte[])good.Clone();
            int bit = random.Next(64, 512 * 8); // past the magic
            block[bit / 8] ^= (byte)(1 << (bit % 8));
            DemoBlockKind kind = DemoRecord.TryRead(block, out DemoRecord? r, out string? error);
            Assert.True(kind == DemoBlockKind.Corrupt, $"bit {bit}: {kind} {r}");
            Assert.True(error!.Contains("CRC-32C field") || error.Contains("payload length field"), error);
        }
    }

    [Fact]
    public void Damaged_magic_makes_the_block_foreign_not_a_record()
    {
        byte[] block = new byte[512];
        DemoRecord.Write(block, 1, 1, 9, T0, "payload"u8);
        block[3] ^= 0x20;
        Assert.Equal(DemoBlockKind.Foreign, DemoRecord.TryRead(block, out DemoRecord? r, out _));
        Assert.Null(r);
    }

    [Fact]
    public void Truncated_block_and_oversized_payload_are_errors_naming_the_field()
    {
        Assert.Equal(DemoBlockKind.Corrupt, DemoRecord.TryRead(new byte[100], out _, out string? error));
        Assert.Contains("100 bytes", error);
        var e = Assert.Throws<ArgumentException>(() => DemoRecord.Write(new byte[512], 1, 1, 1, T0, new byte[DemoRecord.MaxPayload + 1]));
        Assert.Contains("at most 470", e.Message);

        byte[] block = new byte[512];
        DemoRecord.Write(block, 1, 1, 1, T0, new byte[DemoRecord.MaxPayload]);
        Assert.Equal(DemoBlockKind.Record, DemoRecord.TryRead(block, out _, out _));
        BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan(DemoRecord.LengthOffset), 471);
        Assert.Equal(DemoBlockKind.Corrupt, DemoRecord.TryRead(block, out _, out error));
        Assert.Contains("payload length field = 471", error);
    }

    [Fact]
    public void Ack_and_event_lines_round_trip_and_bad_lines_are_reported_with_their_number()
    {
        var ack = new AckLine(T0, 2, 5, 17, 2064, 0xDEADBEEF);
        using var buffer = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            ack.WriteJson(w);
        }

        string line = Encoding.UTF8.GetString(buffer.ToArray());
        (List<AckLine> acks, List<string> errors) = AckLine.ReadAll(new StringReader(line + "\n{\"time\":\"x\"}\n"), "node2.acks");
        Assert.Equal([ack], acks);
        Assert.Equal(["node2.acks:2: field \"time\": missing or not an ISO 8601 time"], errors);

        var e = new RigEvent(T0, 1, RigEventKinds.FenceCompleted) { Peer = 2, Reason = "failover" };
        (List<RigEvent> events, List<string> eventErrors) = RigEvent.ReadAll(new StringReader(e.ToJsonLine() + "\nnot json\n{\"time\":\"2026-01-01T12:00:00Z\",\"node\":1}"), "node1.events");
        Assert.Equal([e], events);
        Assert.Equal(2, eventErrors.Count);
        Assert.StartsWith("node1.events:2: not JSON", eventErrors[0]);
        Assert.Equal("node1.events:3: field \"kind\": missing", eventErrors[1]);
    }
}
