using System.Buffers.Binary;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Iscsi;
using HwFence.Testing;

namespace HwFence.Scsi.Tests.Iscsi;

/// <summary>
/// Two initiators with different names (two nodes) against one tgtd LU: SPC-2 RESERVE/RELEASE and
/// SPC-3 persistent reservations, the fencing primitives, through our initiator over loopback TCP.
/// </summary>
public sealed class IscsiTgtdReservationTests(TgtdFixture tgtd) : IClassFixture<TgtdFixture>
{
    private const ulong KeyA = 0xA1A1_0000_0000_0001;
    private const ulong KeyB = 0xB2B2_0000_0000_0002;

    private async Task<(IscsiTransport A, IscsiTransport B)> TwoNodes(TgtdTarget target)
    {
        var a = await IscsiTransport.ConnectAsync("127.0.0.1", tgtd.Port, target.Iqn, 1,
            new IscsiInitiatorOptions { InitiatorName = "iqn.2026-01.org.hwfence.test:node-a", NopInterval = TimeSpan.Zero });
        var b = await IscsiTransport.ConnectAsync("127.0.0.1", tgtd.Port, target.Iqn, 1,
            new IscsiInitiatorOptions { InitiatorName = "iqn.2026-01.org.hwfence.test:node-b", NopInterval = TimeSpan.Zero });
        await IscsiTgtdTests.ClearUnitAttention(a);
        await IscsiTgtdTests.ClearUnitAttention(b);
        return (a, b);
    }

    [RequiresTgtdFact]
    public async Task Reserve6_by_A_blocks_B_until_A_releases()
    {
        var (a, b) = await TwoNodes(tgtd.CreateTarget());
        await using (a)
        await using (b)
        {
            Assert.NotEqual(a.InitiatorPortName, b.InitiatorPortName);
            Assert.Equal(ScsiStatus.Good, (await RawCdb.Run(a, RawCdb.Reserve6())).Result.Status);

            byte[] block = new byte[512];
            Assert.Equal(ScsiStatus.ReservationConflict, (await RawCdb.Run(b, RawCdb.Write10(0, 1), DataDirection.ToDevice, block)).Result.Status);
            Assert.Equal(ScsiStatus.ReservationConflict, (await RawCdb.Run(b, RawCdb.Reserve6())).Result.Status);
            Assert.Equal(ScsiStatus.Good, (await RawCdb.Run(a, RawCdb.Write10(0, 1), DataDirection.ToDevice, block)).Result.Status);

            Assert.Equal(ScsiStatus.Good, (await RawCdb.Run(a, RawCdb.Release6())).Result.Status);
            Assert.Equal(ScsiStatus.Good, (await RawCdb.Run(b, RawCdb.Reserve6())).Result.Status);
            Assert.Equal(ScsiStatus.ReservationConflict, (await RawCdb.Run(a, RawCdb.Write10(0, 1), DataDirection.ToDevice, block)).Result.Status);
            Assert.Equal(ScsiStatus.Good, (await RawCdb.Run(b, RawCdb.Release6())).Result.Status);
        }
    }

    [RequiresTgtdFact]
    public async Task Persistent_reservation_preempt_fences_A()
    {
        var (a, b) = await TwoNodes(tgtd.CreateTarget());
        await using (a)
        await using (b)
        {
            await PrOut(a, RawCdb.PrRegister, 0, 0, KeyA);
            await PrOut(b, RawCdb.PrRegister, 0, 0, KeyB);
            await PrOut(a, RawCdb.PrReserve, RawCdb.TypeWriteExclusiveRegistrantsOnly, KeyA, 0);
            Assert.Equal(new[] { KeyA, KeyB }, (await ReadKeys(b)).Order());

            byte[] block = new byte[512];
            Assert.Equal(ScsiStatus.Good, (await RawCdb.Run(a, RawCdb.Write10(0, 1), DataDirection.ToDevice, block)).Result.Status);

            // B fences A: PREEMPT A's key (SPC-4 §5.13.11.2.4).
            await PrOut(b, RawCdb.PrPreempt, RawCdb.TypeWriteExclusiveRegistrantsOnly, KeyB, KeyA);

            // A's next command reports UNIT ATTENTION, RESERVATIONS PREEMPTED (2Ah/03h) ...
            var (first, sense) = await RawCdb.Run(a, RawCdb.TestUnitReady());
            Assert.Equal(ScsiStatus.CheckCondition, first.Status);
            Assert.Equal((6, 0x2A, 0x03), RawCdb.Decode(sense));

            // ... and its writes now fail with RESERVATION CONFLICT.
            Assert.Equal(ScsiStatus.ReservationConflict, (await RawCdb.Run(a, RawCdb.Write10(0, 1), DataDirection.ToDevice, block)).Result.Status);
            Assert.Equal(new[] { KeyB }, await ReadKeys(b));
            Assert.Equal(ScsiStatus.Good, (await RawCdb.Run(b, RawCdb.Write10(0, 1), DataDirection.ToDevice, block)).Result.Status);
        }
    }

    [RequiresTgtdFact]
    public async Task Tgtd_rejects_PREEMPT_AND_ABORT_and_READ_FULL_STATUS_with_ILLEGAL_REQUEST()
    {
        var (a, b) = await TwoNodes(tgtd.CreateTarget());
        await using (a)
        await using (b)
        {
            await PrOut(a, RawCdb.PrRegister, 0, 0, KeyA);
            await PrOut(b, RawCdb.PrRegister, 0, 0, KeyB);
            await PrOut(a, RawCdb.PrReserve, RawCdb.TypeWriteExclusiveRegistrantsOnly, KeyA, 0);

            // tgtd 1.0.85 does not implement PREEMPT AND ABORT: CHECK CONDITION, ILLEGAL REQUEST.
            var (pa, paSense) = await RawCdb.Run(b, RawCdb.PrOut(RawCdb.PrPreemptAndAbort, RawCdb.TypeWriteExclusiveRegistrantsOnly),
                DataDirection.ToDevice, RawCdb.PrOutParameters(KeyB, KeyA));
            Assert.Equal(ScsiStatus.CheckCondition, pa.Status);
            Assert.Equal(5, RawCdb.Decode(paSense).Key);

            // Nothing changed: A still holds the reservation, both keys are registered.
            Assert.Equal(new[] { KeyA, KeyB }, (await ReadKeys(b)).Order());

            // READ FULL STATUS (service action 3) is missing too.
            byte[] buffer = new byte[256];
            var (fs, fsSense) = await RawCdb.Run(b, RawCdb.PrIn(3, 256), DataDirection.FromDevice, buffer);
            Assert.Equal(ScsiStatus.CheckCondition, fs.Status);
            Assert.Equal(5, RawCdb.Decode(fsSense).Key);
        }
    }

    private static async Task PrOut(IscsiTransport t, byte serviceAction, byte type, ulong key, ulong serviceActionKey)
    {
        var (r, sense) = await RawCdb.Run(t, RawCdb.PrOut(serviceAction, type), DataDirection.ToDevice, RawCdb.PrOutParameters(key, serviceActionKey));
        Assert.True(r.Status == ScsiStatus.Good, $"PR OUT service action {serviceAction}: status {r.Status}, sense {Convert.ToHexString(sense)}");
    }

    private static async Task<ulong[]> ReadKeys(IscsiTransport t)
    {
        byte[] data = new byte[256];
        var (r, _) = await RawCdb.Run(t, RawCdb.PrIn(0, 256), DataDirection.FromDevice, data);
        Assert.Equal(ScsiStatus.Good, r.Status);
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4));
        return Enumerable.Range(0, length / 8).Select(i => BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(8 + 8 * i))).ToArray();
    }
}
