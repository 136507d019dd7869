using System.Buffers.Binary;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Iscsi;
using HwFence.Testing;

namespace HwFence.Scsi.Tests.Iscsi;

/// <summary>Our initiator against tgtd (an iSCSI target we did not write) over real loopback TCP.</summary>
public sealed class IscsiTgtdTests(TgtdFixture tgtd) : IClassFixture<TgtdFixture>
{
    private static IscsiInitiatorOptions Node(string name) => new()
    {
        InitiatorName = $"iqn.2026-01.org.hwfence.test:{name}",
        NopInterval = TimeSpan.Zero,
    };

    private Task<IscsiTransport> Open(TgtdTarget target, string name, IscsiInitiatorOptions? options = null) =>
        IscsiTransport.ConnectAsync("127.0.0.1", tgtd.Port, target.Iqn, 1, options ?? Node(name));

    [RequiresTgtdFact]
    public async Task Discovery_lists_the_targets_with_their_portal()
    {
        var extra = tgtd.CreateTarget();
        var found = await IscsiTransport.DiscoverAsync("127.0.0.1", tgtd.Port, Node("discover"));
        Assert.Contains(found, t => t.Name == tgtd.Iqn);
        var e = Assert.Single(found, t => t.Name == extra.Iqn);
        Assert.Contains(e.Addresses, a => a.StartsWith($"127.0.0.1:{tgtd.Port}", StringComparison.Ordinal));
    }

    [RequiresTgtdFact]
    public async Task Login_then_TUR_INQUIRY_READ_CAPACITY()
    {
        await using var t = await Open(tgtd.Default, "basic");
        Assert.Equal(tgtd.Address, t.Address);
        Assert.Equal(0, t.NexusGeneration);

        // The first command after login may report the power-on UNIT ATTENTION.
        var (tur, _) = await RawCdb.Run(t, RawCdb.TestUnitReady());
        if (tur.Status == ScsiStatus.CheckCondition)
        {
            (tur, _) = await RawCdb.Run(t, RawCdb.TestUnitReady());
        }

        Assert.Equal(ScsiStatus.Good, tur.Status);

        byte[] inq = new byte[96];
        var (r, _) = await RawCdb.Run(t, RawCdb.Inquiry(96), DataDirection.FromDevice, inq);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(0, inq[0] & 0x1F); // direct-access block device
        Assert.Equal("IET", System.Text.Encoding.ASCII.GetString(inq, 8, 8).Trim());

        byte[] cap = new byte[8];
        (r, _) = await RawCdb.Run(t, RawCdb.ReadCapacity10(), DataDirection.FromDevice, cap);
        Assert.Equal(ScsiStatus.Good, r.Status);
        uint lastLba = BinaryPrimitives.ReadUInt32BigEndian(cap);
        uint blockSize = BinaryPrimitives.ReadUInt32BigEndian(cap.AsSpan(4));
        Assert.Equal(512u, blockSize);
        Assert.Equal(tgtd.Default.LunSizeBytes / 512 - 1, lastLba);
    }

    [RequiresTgtdFact]
    public async Task Write_then_read_round_trips_immediate_unsolicited_and_R2T_data()
    {
        var target = tgtd.CreateTarget();
        await using var t = await Open(target, "rw");
        await ClearUnitAttention(t);

        // 512 B fits in immediate data; 48 KiB needs unsolicited Data-Out; 1 MiB needs R2Ts beyond FirstBurstLength.
        foreach (int blocks in new[] { 1, 96, 2048 })
        {
            byte[] written = new byte[blocks * 512];
            new Random(blocks).NextBytes(written);
            var (w, _) = await RawCdb.Run(t, RawCdb.Write10(100, (ushort)blocks), DataDirection.ToDevice, written);
            Assert.Equal(ScsiStatus.Good, w.Status);
            Assert.Equal(0, w.Residual);

            byte[] read = new byte[blocks * 512];
            var (r, _) = await RawCdb.Run(t, RawCdb.Read10(100, (ushort)blocks), DataDirection.FromDevice, read);
            Assert.Equal(ScsiStatus.Good, r.Status);
            Assert.Equal(0, r.Residual);
            Assert.Equal(written, read);
        }

        // The data is really on tgtd's backing file.
        byte[] file = new byte[512];
        using (var fs = new FileStream(target.BackingFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            fs.Position = 100 * 512;
            fs.ReadExactly(file);
        }

        byte[] expected = new byte[2048 * 512];
        new Random(2048).NextBytes(expected);
        Assert.Equal(expected.AsSpan(0, 512).ToArray(), file);
    }

    [RequiresTgtdFact]
    public async Task Short_INQUIRY_reports_a_residual()
    {
        await using var t = await Open(tgtd.Default, "residual");
        await ClearUnitAttention(t);
        byte[] inq = new byte[255];
        var (r, _) = await RawCdb.Run(t, RawCdb.Inquiry(255), DataDirection.FromDevice, inq);
        Assert.Equal(ScsiStatus.Good, r.Status);
        int length = inq[4] + 5;
        Assert.Equal(255 - length, r.Residual);
        Assert.Equal(length, r.Transferred(inq.Length));
    }

    [RequiresTgtdFact]
    public async Task Several_commands_in_flight_complete_by_tag()
    {
        var target = tgtd.CreateTarget();
        await using var t = await Open(target, "parallel");
        await ClearUnitAttention(t);
        var tasks = new List<Task<(ScsiCommandResult, byte[])>>();
        var buffers = new List<byte[]>();
        for (int i = 0; i < 32; i++)
        {
            byte[] block = new byte[4096];
            block.AsSpan().Fill((byte)i);
            tasks.Add(RawCdb.Run(t, RawCdb.Write10((uint)(i * 8), 8), DataDirection.ToDevice, block));
        }

        foreach (var (r, _) in await Task.WhenAll(tasks))
        {
            Assert.Equal(ScsiStatus.Good, r.Status);
        }

        tasks.Clear();
        for (int i = 0; i < 32; i++)
        {
            byte[] block = new byte[4096];
            buffers.Add(block);
            tasks.Add(RawCdb.Run(t, RawCdb.Read10((uint)(i * 8), 8), DataDirection.FromDevice, block));
        }

        await Task.WhenAll(tasks);
        for (int i = 0; i < 32; i++)
        {
            Assert.All(buffers[i], b => Assert.Equal((byte)i, b));
        }
    }

    [RequiresTgtdFact]
    public async Task Header_and_data_digests_CRC32C_are_negotiated_and_verified()
    {
        var target = tgtd.CreateTarget();
        var options = Node("digests") with { HeaderDigest = IscsiDigestMode.Crc32C, DataDigest = IscsiDigestMode.Crc32C };

        // tgtd offers only None by default: demanding CRC32C must fail, naming the key.
        var refused = await Assert.ThrowsAsync<ScsiTransportException>(() => Open(target, "digests", options));
        Assert.Contains("HeaderDigest=None", refused.Message, StringComparison.Ordinal);

        tgtd.SetTargetParameter(target, "HeaderDigest", "CRC32C,None");
        tgtd.SetTargetParameter(target, "DataDigest", "CRC32C,None");
        await using var t = await Open(target, "digests", options);
        Assert.True(t.Parameters.HeaderDigest);
        Assert.True(t.Parameters.DataDigest);
        await ClearUnitAttention(t);
        byte[] written = new byte[64 * 1024 + 512];
        new Random(7).NextBytes(written);
        var (w, _) = await RawCdb.Run(t, RawCdb.Write10(0, (ushort)(written.Length / 512)), DataDirection.ToDevice, written);
        Assert.Equal(ScsiStatus.Good, w.Status);
        byte[] read = new byte[written.Length];
        var (r, _) = await RawCdb.Run(t, RawCdb.Read10(0, (ushort)(read.Length / 512)), DataDirection.FromDevice, read);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(written, read);
    }

    [RequiresTgtdFact]
    public async Task Chap_login_succeeds_with_the_secret_and_is_refused_without_it()
    {
        var target = tgtd.CreateTarget();
        tgtd.RequireChap(target, "node1", "secret-of-node-1");
        var good = Node("chap") with { Chap = new IscsiChapCredentials("node1", "secret-of-node-1") };
        await using (var t = await Open(target, "chap", good))
        {
            await ClearUnitAttention(t);
        }

        var wrong = Node("chap") with { Chap = new IscsiChapCredentials("node1", "not-the-secret") };
        var e = await Assert.ThrowsAsync<ScsiTransportException>(() => Open(target, "chap", wrong));
        Assert.Equal(ScsiTransportError.PermissionDenied, e.Error);
        Assert.Contains("authentication failure", e.Message, StringComparison.Ordinal);

        var none = await Assert.ThrowsAsync<ScsiTransportException>(() => Open(target, "chap"));
        Assert.Contains("CHAP", none.Message, StringComparison.Ordinal);
    }

    [RequiresTgtdFact]
    public async Task Mutual_chap_verifies_the_target()
    {
        var target = tgtd.CreateTarget();
        tgtd.RequireChap(target, "node2", "secret-of-node-2");
        tgtd.AddOutgoingChap(target, "target2", "secret-of-target-2");
        var good = Node("mutual") with { Chap = new IscsiChapCredentials("node2", "secret-of-node-2", "target2", "secret-of-target-2") };
        await using (var t = await Open(target, "mutual", good))
        {
            await ClearUnitAttention(t);
        }

        var impostor = Node("mutual") with { Chap = new IscsiChapCredentials("node2", "secret-of-node-2", "target2", "what-we-expect") };
        var e = await Assert.ThrowsAsync<ScsiTransportException>(() => Open(target, "mutual", impostor));
        Assert.Contains("mutual CHAP failed", e.Message, StringComparison.Ordinal);
    }

    [RequiresTgtdFact]
    public async Task Unknown_target_is_reported_as_missing()
    {
        var e = await Assert.ThrowsAsync<ScsiTransportException>(() =>
            IscsiTransport.ConnectAsync("127.0.0.1", tgtd.Port, "iqn.2026-01.org.hwfence.test:nope", 1, Node("x")));
        Assert.Equal(ScsiTransportError.DeviceMissing, e.Error);
        Assert.Contains("target not found", e.Message, StringComparison.Ordinal);
    }

    [RequiresTgtdFact]
    public async Task Nothing_listening_is_a_connection_error_naming_the_portal()
    {
        int port = FreePort.Allocate();
        var e = await Assert.ThrowsAsync<ScsiTransportException>(() =>
            IscsiTransport.ConnectAsync("127.0.0.1", port, tgtd.Iqn, 1, Node("x")));
        Assert.Equal(ScsiTransportError.ConnectionLost, e.Error);
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
    }

    [RequiresTgtdFact]
    public async Task A_command_alone_in_flight_is_answered_on_the_callers_thread_without_allocating()
    {
        // SynchronousWait 1 s: even on a loaded machine every answer comes within it, so each command
        // completes before ExecuteAsync returns (send(2) + recv(2) on this thread, no hand-off).
        await using var t = await Open(tgtd.Default, "qd1", Node("qd1") with { SynchronousWait = TimeSpan.FromSeconds(1) });
        await ClearUnitAttention(t);
        byte[] cdb = RawCdb.TestUnitReady();
        byte[] sense = new byte[32];
        var timeout = TimeSpan.FromSeconds(10);
        int synchronous = 0;
        long before = 0;
        for (int i = 0; i < 1100; i++)
        {
            if (i == 100)
            {
                before = GC.GetAllocatedBytesForCurrentThread(); // after JIT and pools warmed up
                synchronous = 0;
            }

            ValueTask<ScsiCommandResult> pending = t.ExecuteAsync(cdb, DataDirection.None, default, sense, timeout);
            synchronous += pending.IsCompleted ? 1 : 0;
            ScsiStatus status = (await pending).Status;
            if (status != ScsiStatus.Good)
            {
                Assert.Fail($"TEST UNIT READY {i}: {status}"); // (Assert.Equal itself allocates)
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1000, synchronous);
        Assert.Equal(0, allocated);
    }

    [RequiresTgtdFact]
    public async Task Without_SynchronousWait_the_receive_thread_answers_every_command()
    {
        await using var t = await Open(tgtd.Default, "rx-thread", Node("rx-thread") with { SynchronousWait = TimeSpan.Zero });
        await ClearUnitAttention(t);
        byte[] sense = new byte[32];
        for (int i = 0; i < 50; i++)
        {
            var r = await t.ExecuteAsync(RawCdb.TestUnitReady(), DataDirection.None, default, sense, TimeSpan.FromSeconds(10));
            Assert.Equal(ScsiStatus.Good, r.Status);
        }
    }

    /// <summary>Consumes the UNIT ATTENTION a new nexus may report first (power on / reset / I_T nexus loss).</summary>
    internal static async Task ClearUnitAttention(IscsiTransport t)
    {
        for (int i = 0; i < 4; i++)
        {
            var (r, sense) = await RawCdb.Run(t, RawCdb.TestUnitReady());
            if (r.Status == ScsiStatus.Good)
            {
                return;
            }

            Assert.Equal(6, RawCdb.Decode(sense).Key); // only UNIT ATTENTION is expected here
        }

        Assert.Fail("UNIT ATTENTION did not clear after 4 TEST UNIT READYs");
    }
}
