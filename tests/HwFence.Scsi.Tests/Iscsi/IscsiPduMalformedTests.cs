using System.Buffers;
using HwFence.Scsi.Iscsi;
using HwFence.Scsi.Iscsi.Pdus;

namespace HwFence.Scsi.Tests.Iscsi;

/// <summary>Malformed, oversized and corrupted PDUs give an error naming the field; nothing throws from deep inside.</summary>
public sealed class IscsiPduMalformedTests
{
    private static readonly IscsiPduLimits FromTarget = new(8192, false, false, IscsiPduSource.Target);

    [Fact]
    public void Oversized_data_segment_is_refused_from_the_header_alone()
    {
        byte[] bhs = new byte[48];
        new DataInHeader(true, false, false, false, false, 0, 0, 1, 0xFFFF_FFFF, 0, 0, 0, 0, 0, 0).Write(bhs);
        BasicHeaderSegment.SetLengths(bhs, 0, 8193);
        var seq = new ReadOnlySequence<byte>(bhs); // only the BHS is buffered: the check must not wait for 8 KiB
        Assert.False(IscsiPduReader.TryRead(ref seq, FromTarget, out _, out var error));
        Assert.True(error.IsError);
        Assert.Contains("DataSegmentLength 8193 exceeds MaxRecvDataSegmentLength 8192", error.Message, StringComparison.Ordinal);
        Assert.Equal(48, seq.Length);
    }

    [Fact]
    public void Unknown_opcode_and_wrong_direction_are_named()
    {
        byte[] bhs = new byte[48];
        bhs[0] = 0x1F;
        var seq = new ReadOnlySequence<byte>(bhs);
        Assert.False(IscsiPduReader.TryRead(ref seq, FromTarget, out _, out var error));
        Assert.Contains("unknown opcode 0x1F", error.Message, StringComparison.Ordinal);

        new ScsiCommandHeader(false, true, false, false, 1, 0, 1, 0, 0, 0, default).Write(bhs);
        seq = new ReadOnlySequence<byte>(bhs);
        Assert.False(IscsiPduReader.TryRead(ref seq, FromTarget, out _, out error));
        Assert.Contains("SCSI Command", error.Message, StringComparison.Ordinal);
        Assert.Contains("not sent by the target", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupted_header_or_data_fails_the_digest_check()
    {
        var limits = new IscsiPduLimits(8192, true, true, IscsiPduSource.Target);
        byte[] data = new byte[100];
        byte[] wire = new byte[IscsiPduWriter.GetLength(0, data.Length, true, true)];
        IscsiPduWriter.Write(wire, new DataInHeader(true, false, false, false, false, 0, 0, 1, 0xFFFF_FFFF, 0, 0, 0, 0, 0, 0), data, true, true);

        byte[] badHeader = (byte[])wire.Clone();
        badHeader[20] ^= 1;
        var seq = new ReadOnlySequence<byte>(badHeader);
        Assert.False(IscsiPduReader.TryRead(ref seq, limits, out _, out var error));
        Assert.Contains("header digest", error.Message, StringComparison.Ordinal);

        byte[] badData = (byte[])wire.Clone();
        badData[60] ^= 1;
        seq = new ReadOnlySequence<byte>(badData);
        Assert.False(IscsiPduReader.TryRead(ref seq, limits, out _, out error));
        Assert.Contains("data digest", error.Message, StringComparison.Ordinal);
        Assert.Equal(IscsiRejectReason.DataDigestError, error.Reason);
    }

    [Fact]
    public void Malformed_ahs_is_named()
    {
        byte[] wire = new byte[48 + 8];
        new ScsiCommandHeader(false, true, false, false, 1, 0, 1, 0, 0, 0, default).Write(wire);
        BasicHeaderSegment.SetLengths(wire, 8, 0);
        wire[48] = 0x00;
        wire[49] = 0x40; // AHSLength 64 > 8
        var seq = new ReadOnlySequence<byte>(wire);
        Assert.False(IscsiPduReader.TryRead(ref seq, new IscsiPduLimits(8192, false, false, IscsiPduSource.Initiator), out _, out var error));
        Assert.Contains("AHSLength 64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Throwing_edge_raises_a_typed_protocol_exception_naming_the_peer()
    {
        byte[] bhs = new byte[48];
        bhs[0] = 0x3E;
        var seq = new ReadOnlySequence<byte>(bhs);
        var e = Assert.Throws<IscsiProtocolException>(() => IscsiPduReader.TryRead(ref seq, FromTarget, "127.0.0.1:3260", out _));
        Assert.Contains("127.0.0.1:3260", e.Message, StringComparison.Ordinal);
        Assert.Equal(IscsiRejectReason.ProtocolError, e.RejectReason);
    }

    [Fact]
    public void Seeded_mutation_fuzz_never_throws_from_the_reader()
    {
        var rng = new Random(20260122);
        var seeds = SeedPdus();
        for (int iteration = 0; iteration < 20_000; iteration++)
        {
            byte[] seed = seeds[rng.Next(seeds.Count)];
            byte[] input = Mutate(rng, seed);
            var limits = new IscsiPduLimits(rng.Next(2) == 0 ? 8192 : 512, rng.Next(2) == 0, rng.Next(2) == 0,
                rng.Next(2) == 0 ? IscsiPduSource.Target : IscsiPduSource.Initiator);
            var seq = rng.Next(2) == 0 || input.Length < 2
                ? new ReadOnlySequence<byte>(input)
                : IscsiPduRoundTripTests.TwoSegments(input, rng.Next(1, input.Length));
            try
            {
                int guard = 0;
                while (IscsiPduReader.TryRead(ref seq, limits, out IscsiPdu pdu, out _) && guard++ < 100)
                {
                    _ = pdu.Opcode;
                    _ = pdu.Data.Length;
                    byte[] cdb = new byte[300];
                    IscsiAhs.GetCdb(pdu.Bhs[32..48], pdu.Ahs, cdb);
                }
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration}: {e.GetType().Name} escaped TryRead for input {Convert.ToHexString(input)}: {e.Message}");
            }
        }
    }

    private static List<byte[]> SeedPdus()
    {
        var list = new List<byte[]>();
        foreach (bool digests in new[] { false, true })
        {
            byte[] data = new byte[37];
            byte[] w = new byte[IscsiPduWriter.GetLength(0, data.Length, digests, digests)];
            IscsiPduWriter.Write(w, new DataInHeader(true, false, false, false, true, 0, 0, 1, 0xFFFF_FFFF, 0, 0, 0, 0, 0, 0), data, digests, digests);
            list.Add(w);
            byte[] cdb = new byte[24];
            byte[] ahs = new byte[IscsiAhs.ExtendedCdbLength(24)];
            IscsiAhs.WriteExtendedCdb(ahs, cdb);
            w = new byte[IscsiPduWriter.GetLength(ahs.Length, 0, digests, digests)];
            IscsiPduWriter.Write(w, new ScsiCommandHeader(false, true, false, false, 1, 0, 1, 0, 0, 0, default), default, digests, digests, ahs);
            list.Add(w);
            byte[] text = "TargetName=iqn.2026-01.x:y\0TargetAddress=127.0.0.1:3260,1\0"u8.ToArray();
            w = new byte[IscsiPduWriter.GetLength(0, text.Length, digests, digests)];
            IscsiPduWriter.Write(w, new TextResponseHeader(true, false, 0, 1, 0xFFFF_FFFF, 1, 1, 1), text, digests, digests);
            list.Add(w);
        }

        return list;
    }

    private static byte[] Mutate(Random rng, byte[] seed)
    {
        var bytes = new List<byte>(seed);
        int mutations = rng.Next(1, 6);
        for (int m = 0; m < mutations; m++)
        {
            switch (rng.Next(5))
            {
                case 0 when bytes.Count > 0:
                    bytes[rng.Next(bytes.Count)] = (byte)rng.Next(256);
                    break;
                case 1 when bytes.Count > 0:
                    bytes.RemoveRange(rng.Next(bytes.Count), 1);
                    break;
                case 2:
                    bytes.Insert(rng.Next(bytes.Count + 1), (byte)rng.Next(256));
                    break;
                case 3 when bytes.Count > 8:
                    bytes[rng.Next(4, 8)] = 0xFF; // lengths: AHS and DataSegmentLength
                    break;
                case 4 when bytes.Count > 0:
                    int at = rng.Next(bytes.Count);
                    bytes.RemoveRange(at, bytes.Count - at); // truncate
                    break;
            }
        }

        if (rng.Next(4) == 0)
        {
            bytes.AddRange(seed); // a second PDU behind the mutated one
        }

        return bytes.ToArray();
    }
}
