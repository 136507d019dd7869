using System.Buffers.Binary;
using HwFence.Emulator.Loopback;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Commands;
using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Tests.Support;

/// <summary>
/// A test's view of one initiator port: builds CDBs with the Scsi layer's builders, runs them
/// through any transport (loopback or our iSCSI initiator), and decodes status, sense and data with the Scsi
/// layer's parsers, so the tests exercise the same code a real node uses.
/// </summary>
internal sealed class TestInitiator(IScsiTransport transport)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public IScsiTransport Transport { get; } = transport;

    /// <summary>The transport as a loopback one (in-process tests).</summary>
    public LoopbackTransport Loopback => (LoopbackTransport)Transport;

    public SenseData? LastSense { get; private set; }

    public byte[] LastData { get; private set; } = [];

    public ScsiStatus Run(ReadOnlySpan<byte> cdb, DataDirection direction = DataDirection.None, byte[]? data = null)
    {
        var sense = new byte[SenseData.MaxLength];
        data ??= direction == DataDirection.FromDevice ? new byte[4096] : [];
        var result = Transport.ExecuteAsync(cdb.ToArray(), direction, data, sense, Timeout).AsTask().GetAwaiter().GetResult();
        LastSense = result.SenseLength > 0 ? SenseData.Parse(sense.AsSpan(0, result.SenseLength)) : null;
        LastData = direction == DataDirection.FromDevice ? data.AsSpan(0, result.Transferred(data.Length)).ToArray() : [];
        return result.Status;
    }

    /// <summary>TEST UNIT READY until no unit attention is reported (what an initiator does after login).</summary>
    public ScsiStatus ClearUnitAttentions()
    {
        for (int i = 0; i < 10; i++)
        {
            var s = Tur();
            if (!(s == ScsiStatus.CheckCondition && LastSense?.Key == SenseKey.UnitAttention))
            {
                return s;
            }
        }

        throw new InvalidOperationException("more than 10 unit attentions");
    }

    public ScsiStatus Tur()
    {
        Span<byte> cdb = stackalloc byte[6];
        Cdb.TestUnitReady(cdb);
        return Run(cdb);
    }

    public ScsiStatus Read(uint lba, ushort blocks)
    {
        Span<byte> cdb = stackalloc byte[10];
        Cdb.Read10(cdb, lba, blocks);
        return Run(cdb, DataDirection.FromDevice, new byte[blocks * 512]);
    }

    public ScsiStatus Write(uint lba, byte[] data, bool fua = false)
    {
        Span<byte> cdb = stackalloc byte[10];
        Cdb.Write10(cdb, lba, (ushort)(data.Length / 512), fua);
        return Run(cdb, DataDirection.ToDevice, data);
    }

    public ScsiStatus ModeSense6()
    {
        byte[] cdb = [0x1A, 0x00, 0x3F, 0x00, 0xFF, 0x00];
        return Run(cdb, DataDirection.FromDevice, new byte[255]);
    }

    public ScsiStatus ReadCapacity10()
    {
        Span<byte> cdb = stackalloc byte[10];
        Cdb.ReadCapacity10(cdb);
        return Run(cdb, DataDirection.FromDevice, new byte[8]);
    }

    public ScsiStatus Reserve6()
    {
        Span<byte> cdb = stackalloc byte[6];
        Cdb.Reserve6(cdb);
        return Run(cdb);
    }

    public ScsiStatus Release6()
    {
        Span<byte> cdb = stackalloc byte[6];
        Cdb.Release6(cdb);
        return Run(cdb);
    }

    public ScsiStatus ProutRaw(PrOutServiceAction action, PersistentReservationType? type, ulong key, ulong sark, PrOutFlags flags = PrOutFlags.None)
    {
        Span<byte> cdb = stackalloc byte[10];
        Cdb.PersistentReserveOut(cdb, action, type);
        var parameters = new PrOutParameterList(key, sark, flags);
        var list = new byte[parameters.Length];
        parameters.Write(list);
        Cdb.PersistentReserveOut(cdb, action, type, (uint)list.Length);
        return Run(cdb, DataDirection.ToDevice, list);
    }

    public ScsiStatus Register(ulong newKey, ulong oldKey = 0, PrOutFlags flags = PrOutFlags.None) =>
        ProutRaw(PrOutServiceAction.Register, null, oldKey, newKey, flags);

    public ScsiStatus RegisterIgnore(ulong newKey, PrOutFlags flags = PrOutFlags.None) =>
        ProutRaw(PrOutServiceAction.RegisterAndIgnoreExistingKey, null, 0, newKey, flags);

    public ScsiStatus Reserve(ulong key, PersistentReservationType type) => ProutRaw(PrOutServiceAction.Reserve, type, key, 0);

    public ScsiStatus Release(ulong key, PersistentReservationType type) => ProutRaw(PrOutServiceAction.Release, type, key, 0);

    public ScsiStatus Clear(ulong key) => ProutRaw(PrOutServiceAction.Clear, null, key, 0);

    public ScsiStatus Preempt(ulong key, ulong victim, PersistentReservationType type, bool abort = false) =>
        ProutRaw(abort ? PrOutServiceAction.PreemptAndAbort : PrOutServiceAction.Preempt, type, key, victim);

    public PrReadKeysData ReadKeys()
    {
        Span<byte> cdb = stackalloc byte[10];
        Cdb.PersistentReserveIn(cdb, PrInServiceAction.ReadKeys, 4096);
        Assert.Equal(ScsiStatus.Good, Run(cdb, DataDirection.FromDevice, new byte[4096]));
        return PrReadKeysData.Parse(LastData);
    }

    public PrReadReservationData ReadReservation()
    {
        Span<byte> cdb = stackalloc byte[10];
        Cdb.PersistentReserveIn(cdb, PrInServiceAction.ReadReservation, 4096);
        Assert.Equal(ScsiStatus.Good, Run(cdb, DataDirection.FromDevice, new byte[4096]));
        return PrReadReservationData.Parse(LastData);
    }

    public byte[] PrIn(PrInServiceAction action, int alloc = 4096)
    {
        Span<byte> cdb = stackalloc byte[10];
        Cdb.PersistentReserveIn(cdb, action, alloc);
        Assert.Equal(ScsiStatus.Good, Run(cdb, DataDirection.FromDevice, new byte[alloc]));
        return LastData;
    }

    public static uint Generation(byte[] prInData) => BinaryPrimitives.ReadUInt32BigEndian(prInData);

    /// <summary>Asserts CHECK CONDITION with this sense key and ASC/ASCQ.</summary>
    public void AssertCheck(ScsiStatus status, SenseKey key, AdditionalSense asc)
    {
        Assert.Equal(ScsiStatus.CheckCondition, status);
        Assert.NotNull(LastSense);
        Assert.Equal(key, LastSense!.Value.Key);
        Assert.Equal(asc, LastSense.Value.Additional);
    }
}
