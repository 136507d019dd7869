using System.Buffers;
using HwFence.Scsi.Iscsi.Pdus;

namespace HwFence.Scsi.Tests.Iscsi;

/// <summary>Every opcode's BHS encodes and decodes back, alone and framed with AHS, data, padding and digests.</summary>
public sealed class IscsiPduRoundTripTests
{
    private const ulong Lun1 = 0x0001_0000_0000_0000;

    [Fact] public void NopOut() => RoundTrip(new NopOutHeader(true, Lun1, 0x11, 0xFFFF_FFFF, 0x22, 0x33));
    [Fact] public void NopIn() => RoundTrip(new NopInHeader(Lun1, 0xFFFF_FFFF, 0x44, 0x55, 0x66, 0x77));
    [Fact] public void ScsiCommand() => RoundTrip(new ScsiCommandHeader(false, true, true, false, 1, Lun1, 0x1234, 4096, 7, 8, ScsiCommandHeader.PackCdb([0x28, 0, 0, 0, 0, 100, 0, 0, 8, 0])));
    [Fact] public void ScsiResponse() => RoundTrip(new ScsiResponseHeader(false, false, false, true, 0, 0x02, 0x1234, 0, 9, 10, 11, 12, 0, 200));
    [Fact] public void TaskManagementRequest() => RoundTrip(new TaskManagementRequestHeader(true, TaskManagementFunction.AbortTask, Lun1, 0x4000_0001, 0x1234, 5, 6, 4, 0));
    [Fact] public void TaskManagementResponse() => RoundTrip(new TaskManagementResponseHeader(HwFence.Scsi.Iscsi.Pdus.TaskManagementResponse.FunctionComplete, 0x4000_0001, 5, 6, 7));
    [Fact] public void LoginRequest() => RoundTrip(new LoginRequestHeader(true, false, LoginStage.LoginOperationalNegotiation, LoginStage.FullFeaturePhase, 0, 0, 0x8012_3456_789A, 0, 1, 0, 1, 2));
    [Fact] public void LoginResponse() => RoundTrip(new LoginResponseHeader(true, false, LoginStage.SecurityNegotiation, LoginStage.LoginOperationalNegotiation, 0, 0, 0x8012_3456_789A, 0x0101, 1, 3, 1, 33, 2, 1));
    [Fact] public void TextRequest() => RoundTrip(new TextRequestHeader(false, true, false, 0, 9, 0xFFFF_FFFF, 1, 2));
    [Fact] public void TextResponse() => RoundTrip(new TextResponseHeader(false, true, 0, 9, 0x99, 3, 4, 5));
    [Fact] public void DataOut() => RoundTrip(new DataOutHeader(true, Lun1, 0x1234, 0x5678, 3, 2, 16384));
    [Fact] public void DataIn() => RoundTrip(new DataInHeader(true, false, false, true, true, 0x18, Lun1, 0x1234, 0xFFFF_FFFF, 9, 10, 11, 3, 8192, 512));
    [Fact] public void LogoutRequest() => RoundTrip(new LogoutRequestHeader(true, LogoutReason.CloseSession, 0x7FFF_0002, 0, 5, 6));
    [Fact] public void LogoutResponse() => RoundTrip(new LogoutResponseHeader(0, 0x7FFF_0002, 6, 7, 8, 2, 20));
    [Fact] public void ReadyToTransfer() => RoundTrip(new ReadyToTransferHeader(Lun1, 0x1234, 0xABCD, 4, 5, 6, 1, 65536, 262144));
    [Fact] public void AsyncMessage() => RoundTrip(new AsyncMessageHeader(Lun1, 4, 5, 6, AsyncEvent.LogoutRequested, 0, 0, 2, 20));
    [Fact] public void Reject() => RoundTrip(new RejectHeader(IscsiRejectReason.InvalidPduField, 4, 5, 6, 0));
    [Fact] public void Snack() => RoundTrip(new SnackRequestHeader(SnackType.Status, Lun1, 0x1234, 0xFFFF_FFFF, 7, 3, 2));

    [Fact]
    public void Opcode_bytes_and_fixed_bits_match_RFC_7143()
    {
        Span<byte> bhs = stackalloc byte[48];
        new LoginRequestHeader(true, false, LoginStage.SecurityNegotiation, LoginStage.LoginOperationalNegotiation, 0, 0, 1, 0, 0, 0, 0, 0).Write(bhs);
        Assert.Equal(0x43, bhs[0]); // I=1 always for Login (§11.12)
        Assert.Equal(0x81, bhs[1]); // T=1, CSG=0, NSG=1
        new NopOutHeader(true, 0, 1, 0xFFFF_FFFF, 0, 0).Write(bhs);
        Assert.Equal(0x40, bhs[0]);
        Assert.Equal(0x80, bhs[1]);
        new ScsiCommandHeader(false, true, false, true, 1, 0, 1, 512, 0, 0, default).Write(bhs);
        Assert.Equal(0x01, bhs[0]);
        Assert.Equal(0xA1, bhs[1]); // F, W, SIMPLE
        new RejectHeader(IscsiRejectReason.ProtocolError, 0, 0, 0, 0).Write(bhs);
        Assert.Equal(0x3F, bhs[0]);
        Assert.Equal(0xFFFF_FFFFu, BasicHeaderSegment.GetInitiatorTaskTag(bhs));
    }

    [Theory]
    [InlineData(0, false, false)]
    [InlineData(1, false, false)]
    [InlineData(5, true, false)]
    [InlineData(4096, true, true)]
    [InlineData(8191, false, true)]
    public void Framed_pdu_round_trips_with_padding_and_digests(int dataLength, bool headerDigest, bool dataDigest)
    {
        byte[] data = new byte[dataLength];
        new Random(dataLength).NextBytes(data);
        byte[] cdb = new byte[32];
        new Random(1).NextBytes(cdb);
        byte[] ahs = new byte[IscsiAhs.ExtendedCdbLength(cdb.Length)];
        IscsiAhs.WriteExtendedCdb(ahs, cdb);
        var h = new ScsiCommandHeader(false, true, false, true, 1, Lun1, 77, (uint)dataLength, 1, 1, ScsiCommandHeader.PackCdb(cdb));
        byte[] wire = new byte[IscsiPduWriter.GetLength(ahs.Length, dataLength, headerDigest, dataDigest)];
        int n = IscsiPduWriter.Write(wire, h, data, headerDigest, dataDigest, ahs);
        Assert.Equal(wire.Length, n);
        Assert.Equal(0, n % 4);

        var limits = new IscsiPduLimits(8192, headerDigest, dataDigest, IscsiPduSource.Initiator);
        var seq = new ReadOnlySequence<byte>(wire);
        Assert.True(IscsiPduReader.TryRead(ref seq, limits, out IscsiPdu pdu, out var error), error.ToString());
        Assert.True(seq.IsEmpty);
        Assert.Equal(h, pdu.Read<ScsiCommandHeader>());
        Assert.Equal(data, pdu.Data.ToArray());
        byte[] full = new byte[64];
        int cdbLength = IscsiAhs.GetCdb(pdu.Bhs[32..48], pdu.Ahs, full);
        Assert.Equal(cdb, full.AsSpan(0, cdbLength).ToArray());
    }

    [Fact]
    public void Reader_waits_for_every_byte_and_handles_split_segments()
    {
        byte[] data = [1, 2, 3, 4, 5, 6, 7];
        var h = new DataInHeader(true, false, false, false, true, 0, Lun1, 5, 0xFFFF_FFFF, 1, 2, 3, 0, 0, 0);
        byte[] wire = new byte[IscsiPduWriter.GetLength(0, data.Length, true, true)];
        IscsiPduWriter.Write(wire, h, data, true, true);
        var limits = new IscsiPduLimits(8192, true, true, IscsiPduSource.Target);
        for (int cut = 0; cut < wire.Length; cut++)
        {
            var partial = new ReadOnlySequence<byte>(wire, 0, cut);
            Assert.False(IscsiPduReader.TryRead(ref partial, limits, out _, out var error));
            Assert.False(error.IsError, $"cut at {cut}: {error}");
            Assert.Equal(cut, partial.Length);

            var split = TwoSegments(wire, cut);
            Assert.True(IscsiPduReader.TryRead(ref split, limits, out IscsiPdu pdu, out error), $"split at {cut}: {error}");
            Assert.Equal(data, pdu.Data.ToArray());
            Assert.Equal(h, pdu.Read<DataInHeader>());
        }
    }

    [Fact]
    public void Two_pdus_in_one_buffer_are_read_one_after_the_other()
    {
        byte[] wire = new byte[96];
        IscsiPduWriter.Write(wire, new NopInHeader(0, 1, 0xFFFF_FFFF, 1, 1, 1), default, false, false);
        IscsiPduWriter.Write(wire.AsSpan(48), new NopInHeader(0, 2, 0xFFFF_FFFF, 2, 2, 2), default, false, false);
        var seq = new ReadOnlySequence<byte>(wire);
        var limits = IscsiPduLimits.Login(IscsiPduSource.Target);
        Assert.True(IscsiPduReader.TryRead(ref seq, limits, out var a, out _));
        Assert.True(IscsiPduReader.TryRead(ref seq, limits, out var b, out _));
        Assert.False(IscsiPduReader.TryRead(ref seq, limits, out _, out _));
        Assert.Equal(1u, a.InitiatorTaskTag);
        Assert.Equal(2u, b.InitiatorTaskTag);
    }

    [Fact]
    public void Lun_field_uses_peripheral_and_flat_addressing()
    {
        Assert.Equal(0x0001_0000_0000_0000UL, IscsiLun.Encode(1));
        Assert.Equal(0x41FF_0000_0000_0000UL, IscsiLun.Encode(0x1FF));
        foreach (int lun in new[] { 0, 1, 255, 256, 4095, 16383 })
        {
            Assert.Equal(lun, IscsiLun.Decode(IscsiLun.Encode(lun)));
        }

        Assert.Equal(-1, IscsiLun.Decode(0xC000_0000_0000_0000));
    }

    private static void RoundTrip<T>(T header) where T : struct, IIscsiHeader<T>
    {
        byte[] bhs = new byte[48];
        header.Write(bhs);
        Assert.Equal(T.Opcode, BasicHeaderSegment.GetOpcode(bhs));
        Assert.Equal(header, T.Read(bhs));

        byte[] data = [0xDE, 0xAD, 0xBE, 0xEF, 0x01];
        byte[] wire = new byte[IscsiPduWriter.GetLength(0, data.Length, true, true)];
        IscsiPduWriter.Write(wire, header, data, true, true);
        var seq = new ReadOnlySequence<byte>(wire);
        var limits = new IscsiPduLimits(8192, true, true, IscsiOpcodeInfo.SourceOf(T.Opcode));
        Assert.True(IscsiPduReader.TryRead(ref seq, limits, out IscsiPdu pdu, out var error), error.ToString());
        Assert.Equal(T.Opcode, pdu.Opcode);
        Assert.Equal(header, pdu.Read<T>());
        Assert.Equal(data, pdu.Data.ToArray());
    }

    internal static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int cut)
    {
        var first = new Segment(bytes.AsMemory(0, cut), 0);
        var second = first.Append(bytes.AsMemory(cut));
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
