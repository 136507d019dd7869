using System.Buffers.Binary;
using HwFence.Emulator.Iscsi;
using HwFence.Emulator.Tests.Support;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Iscsi.Pdus;
using HwFence.Testing;

namespace HwFence.Emulator.Tests.Iscsi;

/// <summary>
/// Malformed, out-of-sequence and hostile PDUs from a raw client: the target rejects or drops only
/// that connection, logs why, never disturbs another session and never writes a partial command.
/// </summary>
public sealed class HostileInitiatorTests
{
    private const string Good = "iqn.2026-01.org.hwfence.test:well-behaved";
    private const string Evil = "iqn.2026-01.org.hwfence.test:hostile";

    private static byte[] Write10(uint lba, ushort blocks) => [0x2A, 0, (byte)(lba >> 24), (byte)(lba >> 16), (byte)(lba >> 8), (byte)lba, 0, (byte)(blocks >> 8), (byte)blocks, 0];

    [Fact]
    public async Task Garbage_drops_only_that_connection_with_a_log_line()
    {
        await using var server = new EmulatorServer();
        var good = await IscsiTargetTests.ConnectAsync(server, Good);
        await using var _ = good.Transport;
        var pattern = Enumerable.Repeat((byte)0x5C, 512).ToArray();
        Assert.Equal(ScsiStatus.Good, good.Write(10, pattern));

        await using var evil = await RawIscsiClient.LoginAsync(server.Port, server.Iqn, Evil);
        await evil.SendRawAsync(Enumerable.Repeat((byte)0xFF, 96).ToArray());
        Assert.True(await evil.ClosedWithinAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains(server.Log.Lines, l => l.StartsWith("warn:", StringComparison.Ordinal) && l.Contains(Evil, StringComparison.Ordinal));

        Assert.Equal(ScsiStatus.Good, good.Read(10, 1));
        Assert.Equal(pattern, good.LastData);
    }

    [Fact]
    public async Task Garbage_before_login_is_dropped_and_the_target_keeps_serving()
    {
        await using var server = new EmulatorServer();
        await using (var raw = await RawIscsiClient.ConnectAsync(server.Port))
        {
            await raw.SendRawAsync(Enumerable.Range(0, 200).Select(i => (byte)(i * 37)).ToArray());
            Assert.True(await raw.ClosedWithinAsync(TimeSpan.FromSeconds(5)));
        }

        var good = await IscsiTargetTests.ConnectAsync(server, Good);
        await using var _ = good.Transport;
        Assert.Equal(ScsiStatus.Good, good.Tur());
    }

    [Fact]
    public async Task Data_out_with_a_wrong_datasn_is_rejected_and_nothing_is_written()
    {
        await using var server = new EmulatorServer();
        await using var evil = await RawIscsiClient.LoginAsync(server.Port, server.Iqn, Evil, immediateData: false, initialR2T: false);
        await evil.SendAsync(evil.Command(0x10, Write10(20, 2), 1024, read: false, write: true, final: false));
        var block = Enumerable.Repeat((byte)0xAB, 512).ToArray();
        await evil.SendAsync(new DataOutHeader(false, 0, 0x10, 0xFFFF_FFFF, evil.ExpStatSN, 0, 0), block);
        await evil.SendAsync(new DataOutHeader(true, 0, 0x10, 0xFFFF_FFFF, evil.ExpStatSN, 0 /* must be 1 */, 512), block);
        var reject = await evil.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(reject);
        Assert.Equal(IscsiOpcode.Reject, BasicHeaderSegment.GetOpcode(reject.Value.Bhs));
        Assert.Equal(IscsiRejectReason.ProtocolError, RejectHeader.Read(reject.Value.Bhs).Reason);
        Assert.Equal(0x10u, BasicHeaderSegment.GetInitiatorTaskTag(reject.Value.Data)); // the rejected header rides along

        var good = await IscsiTargetTests.ConnectAsync(server, Good);
        await using var _ = good.Transport;
        Assert.Equal(ScsiStatus.Good, good.Read(20, 2));
        Assert.All(good.LastData, b => Assert.Equal(0, b));
        Assert.Contains(server.Log.Lines, l => l.Contains("DataSN 0, expected 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Data_out_at_a_wrong_offset_or_without_an_r2t_is_rejected()
    {
        await using var server = new EmulatorServer();
        await using var evil = await RawIscsiClient.LoginAsync(server.Port, server.Iqn, Evil, immediateData: false, initialR2T: true);

        // InitialR2T=Yes: the target must ask with an R2T first; unsolicited data is a sequence error.
        await evil.SendAsync(evil.Command(0x20, Write10(30, 1), 512, read: false, write: true, final: true));
        var r2t = await evil.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(IscsiOpcode.ReadyToTransfer, BasicHeaderSegment.GetOpcode(r2t!.Value.Bhs));
        var r = ReadyToTransferHeader.Read(r2t.Value.Bhs);
        Assert.Equal(0u, r.R2TSN);
        Assert.Equal(512u, r.DesiredDataTransferLength);

        await evil.SendAsync(new DataOutHeader(true, 0, 0x20, r.TargetTransferTag, evil.ExpStatSN, 0, 256), new byte[256]); // offset 256, expected 0
        var reject = await evil.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(IscsiOpcode.Reject, BasicHeaderSegment.GetOpcode(reject!.Value.Bhs));

        await evil.SendAsync(evil.Command(0x21, Write10(31, 1), 512, read: false, write: true, final: true));
        r2t = await evil.ReceiveAsync(TimeSpan.FromSeconds(5));
        r = ReadyToTransferHeader.Read(r2t!.Value.Bhs);
        await evil.SendAsync(new DataOutHeader(true, 0, 0x21, r.TargetTransferTag ^ 0x1234, evil.ExpStatSN, 0, 0), new byte[512]); // wrong TTT
        reject = await evil.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(IscsiOpcode.Reject, BasicHeaderSegment.GetOpcode(reject!.Value.Bhs));

        // The connection still works for a correct command.
        await evil.SendAsync(evil.Command(0x22, [0, 0, 0, 0, 0, 0], 0, read: false, write: false));
        var response = await evil.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(IscsiOpcode.ScsiResponse, BasicHeaderSegment.GetOpcode(response!.Value.Bhs));
        Assert.Equal(0x22u, BasicHeaderSegment.GetInitiatorTaskTag(response.Value.Bhs));
    }

    [Fact]
    public async Task Commands_outside_the_cmdsn_window_are_ignored()
    {
        await using var server = new EmulatorServer();
        await using var raw = await RawIscsiClient.LoginAsync(server.Port, server.Iqn, Evil);
        uint exp = raw.CmdSN;
        raw.CmdSN = exp + 100_000;
        await raw.SendAsync(raw.Command(0x30, [0, 0, 0, 0, 0, 0], 0, false, false));
        raw.CmdSN = exp;
        await raw.SendAsync(raw.Command(0x31, [0, 0, 0, 0, 0, 0], 0, false, false));
        var response = await raw.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0x31u, BasicHeaderSegment.GetInitiatorTaskTag(response!.Value.Bhs)); // 0x30 got no answer
        var sr = ScsiResponseHeader.Read(response.Value.Bhs);
        Assert.Equal(exp + 1, sr.ExpCmdSN);
        Assert.Equal(exp + 128, sr.MaxCmdSN);
        Assert.Contains(server.Log.Lines, l => l.Contains("outside the window", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Abort_task_aborts_a_hung_command_which_then_gets_no_response()
    {
        await using var server = new EmulatorServer();
        await using var raw = await RawIscsiClient.LoginAsync(server.Port, server.Iqn, Evil);
        server.Disk.Faults.For(Evil).Hang = true;
        uint cmdSN = raw.CmdSN;
        await raw.SendAsync(raw.Command(0x40, [0, 0, 0, 0, 0, 0], 0, false, false));
        Assert.Null(await raw.ReceiveAsync(TimeSpan.FromMilliseconds(300))); // hung
        await raw.SendAsync(new TaskManagementRequestHeader(true, TaskManagementFunction.AbortTask, 0, 0x41, 0x40, raw.CmdSN, raw.ExpStatSN, cmdSN, 0));
        var tmf = await raw.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(IscsiOpcode.TaskManagementResponse, BasicHeaderSegment.GetOpcode(tmf!.Value.Bhs));
        Assert.Equal(TaskManagementResponse.FunctionComplete, TaskManagementResponseHeader.Read(tmf.Value.Bhs).Response);

        server.Disk.Faults.For(Evil).Hang = false;
        await raw.SendAsync(new NopOutHeader(true, 0, 0x42, 0xFFFF_FFFF, raw.CmdSN, raw.ExpStatSN), [1, 2, 3, 4]);
        var next = await raw.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(IscsiOpcode.NopIn, BasicHeaderSegment.GetOpcode(next!.Value.Bhs)); // no SCSI Response for 0x40 came first
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, next.Value.Data);
    }

    [Fact]
    public async Task Unanswered_nop_in_ping_drops_the_connection()
    {
        var clock = new FakeTimeProvider();
        await using var server = new EmulatorServer(targetOptions: new EmulatedTargetOptions { Time = clock },
            iscsiOptions: new IscsiTargetOptions { NopInInterval = TimeSpan.FromSeconds(5), NopInTimeout = TimeSpan.FromSeconds(5) });
        await using var raw = await RawIscsiClient.LoginAsync(server.Port, server.Iqn, Evil);
        clock.Advance(TimeSpan.FromSeconds(6));
        var ping = await raw.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(IscsiOpcode.NopIn, BasicHeaderSegment.GetOpcode(ping!.Value.Bhs));
        var nop = NopInHeader.Read(ping.Value.Bhs);
        Assert.Equal(0xFFFF_FFFFu, nop.InitiatorTaskTag);
        Assert.NotEqual(0xFFFF_FFFFu, nop.TargetTransferTag);
        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.True(await raw.ClosedWithinAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains(server.Log.Lines, l => l.Contains("no answer to NOP-In", StringComparison.Ordinal));
    }

    /// <summary>
    /// Seeded mutation fuzz (no SharpFuzz here): valid PDUs with random bytes flipped, each on a fresh
    /// logged-in connection. The target must survive every one, keep serving a well-behaved session,
    /// and never change data it was not validly asked to write.
    /// </summary>
    [Fact]
    public async Task Mutated_pdus_never_crash_the_target_or_corrupt_data()
    {
        await using var server = new EmulatorServer();
        var good = await IscsiTargetTests.ConnectAsync(server, Good);
        await using var _ = good.Transport;
        var pattern = Enumerable.Repeat((byte)0x77, 4096).ToArray();
        Assert.Equal(ScsiStatus.Good, good.Write(4000, pattern));

        var rng = new Random(20261122);
        for (int iteration = 0; iteration < 60; iteration++)
        {
            await using var evil = await RawIscsiClient.LoginAsync(server.Port, server.Iqn, Evil, isid: 0x4000_0000_0100 + (ulong)iteration);
            var pdu = new byte[48 + 512];
            // A WRITE(10) of one block at LBA 100..163 with immediate data: mutations may retarget it anywhere.
            IscsiPduWriter.Write(pdu, evil.Command(0x50, Write10((uint)(100 + iteration), 1), 512, false, true), Enumerable.Repeat((byte)0xEE, 512).ToArray(), false, false);
            int flips = rng.Next(1, 6);
            for (int f = 0; f < flips; f++)
            {
                pdu[rng.Next(0, 48)] = (byte)rng.Next(256);
            }

            await evil.SendRawAsync(pdu);
            await evil.ReceiveAsync(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(ScsiStatus.Good, good.Read(4000, 8));
        Assert.Equal(pattern, good.LastData);
        Assert.Equal(ScsiStatus.Good, good.Tur());
    }
}
