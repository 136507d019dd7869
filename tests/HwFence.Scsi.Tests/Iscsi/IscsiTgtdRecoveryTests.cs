using HwFence.Hal.Scsi;
using HwFence.Scsi.Iscsi;
using HwFence.Scsi.Iscsi.Pdus;
using HwFence.Testing;

namespace HwFence.Scsi.Tests.Iscsi;

/// <summary>
/// Connection loss, keepalive, timeouts and task management against tgtd, with a <see cref="TcpProxy"/>
/// in the path to cut or freeze the connection. Timeouts run on a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class IscsiTgtdRecoveryTests(TgtdFixture tgtd) : IClassFixture<TgtdFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20); // only a guard against hanging forever

    private static IscsiInitiatorOptions Node(string name, TimeProvider? time = null) => new()
    {
        InitiatorName = $"iqn.2026-01.org.hwfence.test:{name}",
        NopInterval = TimeSpan.Zero,
        ReconnectDelay = TimeSpan.FromMilliseconds(20),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        TimeProvider = time ?? TimeProvider.System,
    };

    [RequiresTgtdFact]
    public async Task Connection_drop_fails_commands_in_flight_then_reconnects_with_a_new_nexus()
    {
        var target = tgtd.CreateTarget();
        await using var proxy = new TcpProxy("127.0.0.1", tgtd.Port);
        await using var t = await IscsiTransport.ConnectAsync("127.0.0.1", proxy.Port, target.Iqn, 1, Node("drop"));
        var replaced = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        t.NexusReplaced += g => replaced.TrySetResult(g);
        await IscsiTgtdTests.ClearUnitAttention(t);
        long isidBefore = (long)t.Isid;

        proxy.Hold();
        var inFlight = RawCdb.Run(t, RawCdb.TestUnitReady());
        proxy.CutAll();
        proxy.Resume();
        var lost = await Assert.ThrowsAsync<ScsiTransportException>(() => inFlight);
        Assert.Equal(ScsiTransportError.ConnectionLost, lost.Error);
        Assert.Contains(t.Address, lost.Message, StringComparison.Ordinal);
        Assert.Contains("outcome is unknown", lost.Message, StringComparison.Ordinal);

        Assert.Equal(1, await replaced.Task.WaitAsync(Patience));
        Assert.Equal(1, t.NexusGeneration);
        Assert.Equal(isidBefore, (long)t.Isid);
        Assert.Equal(2, proxy.AcceptedConnections);
        await IscsiTgtdTests.ClearUnitAttention(t);
    }

    [RequiresTgtdFact]
    public async Task Commands_wait_for_the_reconnect_up_to_their_timeout()
    {
        var target = tgtd.CreateTarget();
        await using var proxy = new TcpProxy("127.0.0.1", tgtd.Port);
        await using var t = await IscsiTransport.ConnectAsync("127.0.0.1", proxy.Port, target.Iqn, 1, Node("wait"));
        await IscsiTgtdTests.ClearUnitAttention(t);
        var replaced = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        t.NexusReplaced += g => replaced.TrySetResult(g);

        proxy.RefuseNew = true;
        proxy.CutAll();
        await Until(() => !t.IsConnected);
        byte[] sense = new byte[32];
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () =>
            await t.ExecuteAsync(RawCdb.TestUnitReady(), DataDirection.None, default, sense, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(ScsiTransportError.ConnectionLost, e.Error);
        Assert.Contains("not re-established", e.Message, StringComparison.Ordinal);

        proxy.RefuseNew = false;
        Assert.Equal(1, await replaced.Task.WaitAsync(Patience));
        await IscsiTgtdTests.ClearUnitAttention(t);
    }

    [RequiresTgtdFact]
    public async Task Target_NOP_In_pings_are_answered_so_tgtd_keeps_the_session()
    {
        var target = tgtd.CreateTarget();
        tgtd.Tgtadm("--lld", "iscsi", "--mode", "target", "--op", "update", "--tid", target.Tid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", "nop_interval", "--value", "1");
        tgtd.Tgtadm("--lld", "iscsi", "--mode", "target", "--op", "update", "--tid", target.Tid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", "nop_count", "--value", "2");
        await using var t = await IscsiTransport.ConnectAsync("127.0.0.1", tgtd.Port, target.Iqn, 1, Node("nop-in"));
        using var guard = new CancellationTokenSource(Patience);
        while (t.TargetPingsAnswered < 3)
        {
            await Task.Delay(50, guard.Token); // waiting on tgtd's own 1 s timer
        }

        // tgtd drops a session after nop_count unanswered pings; ours is still the first nexus.
        Assert.Equal(0, t.NexusGeneration);
        Assert.True(t.IsConnected);
        await IscsiTgtdTests.ClearUnitAttention(t);
    }

    [RequiresTgtdFact]
    public async Task Keepalive_NOP_Out_is_answered_and_a_silent_target_is_declared_dead()
    {
        var time = new FakeTimeProvider();
        var target = tgtd.CreateTarget();
        await using var proxy = new TcpProxy("127.0.0.1", tgtd.Port);
        var options = Node("keepalive", time) with { NopInterval = TimeSpan.FromSeconds(5), NopTimeout = TimeSpan.FromSeconds(5) };
        await using var t = await IscsiTransport.ConnectAsync("127.0.0.1", proxy.Port, target.Iqn, 1, options);
        var replaced = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        t.NexusReplaced += g => replaced.TrySetResult(g);

        // 5 s idle: a NOP-Out goes out and tgtd answers it.
        time.Advance(TimeSpan.FromSeconds(5));
        await Until(() => t.KeepalivesAnswered == 1);

        // The target goes silent: the next ping is unanswered, and 5 s later the connection is declared dead.
        proxy.Hold();
        time.Advance(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(t.IsConnected);
        proxy.CutAll();
        proxy.Resume();

        // The reconnect waits ReconnectDelay on the same clock (its timer starts asynchronously: step until it ran).
        await Until(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            return replaced.Task.IsCompleted;
        });
        Assert.Equal(1, await replaced.Task);
    }

    [RequiresTgtdFact]
    public async Task A_command_without_status_times_out_and_is_aborted()
    {
        var time = new FakeTimeProvider();
        var target = tgtd.CreateTarget();
        await using var proxy = new TcpProxy("127.0.0.1", tgtd.Port);
        await using var t = await IscsiTransport.ConnectAsync("127.0.0.1", proxy.Port, target.Iqn, 1, Node("timeout", time));

        proxy.Hold();
        byte[] sense = new byte[32];
        var pending = t.ExecuteAsync(RawCdb.TestUnitReady(), DataDirection.None, default, sense, TimeSpan.FromSeconds(3)).AsTask();
        time.Advance(TimeSpan.FromSeconds(3));
        var e = await Assert.ThrowsAsync<ScsiTransportException>(() => pending);
        Assert.Equal(ScsiTransportError.Timeout, e.Error);
        Assert.Contains("TEST UNIT READY got no status within 3000 ms", e.Message, StringComparison.Ordinal);

        // The ABORT TASK gets no answer either: once the task management timeout passes (the abort is
        // sent asynchronously, so time moves in steps until then) the connection is dropped and replaced.
        var elapsed = TimeSpan.Zero;
        await Until(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            elapsed += TimeSpan.FromSeconds(1);
            return !t.IsConnected;
        });
        Assert.True(elapsed >= t.Options.TaskManagementTimeout, $"connection dropped after {elapsed}, before the abort timed out");
        proxy.CutAll();
        proxy.Resume();
        await Until(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            return t.NexusGeneration == 1 && t.IsConnected;
        });
    }

    [RequiresTgtdFact]
    public async Task Logical_unit_reset_clears_a_reservation_and_raises_unit_attention()
    {
        var target = tgtd.CreateTarget();
        await using var a = await IscsiTransport.ConnectAsync("127.0.0.1", tgtd.Port, target.Iqn, 1, Node("lur-a"));
        await using var b = await IscsiTransport.ConnectAsync("127.0.0.1", tgtd.Port, target.Iqn, 1, Node("lur-b"));
        await IscsiTgtdTests.ClearUnitAttention(a);
        await IscsiTgtdTests.ClearUnitAttention(b);
        Assert.Equal(ScsiStatus.Good, (await RawCdb.Run(a, RawCdb.Reserve6())).Result.Status);
        Assert.Equal(ScsiStatus.ReservationConflict, (await RawCdb.Run(b, RawCdb.Reserve6())).Result.Status);

        Assert.Equal(TaskManagementResponse.FunctionComplete, await b.LogicalUnitResetAsync());

        var (ua, sense) = await RawCdb.Run(a, RawCdb.TestUnitReady());
        Assert.Equal(ScsiStatus.CheckCondition, ua.Status);
        Assert.Equal(6, RawCdb.Decode(sense).Key);
        Assert.Equal(0x29, RawCdb.Decode(sense).Asc); // POWER ON, RESET, OR BUS DEVICE RESET OCCURRED
        await IscsiTgtdTests.ClearUnitAttention(b);
        Assert.Equal(ScsiStatus.Good, (await RawCdb.Run(b, RawCdb.Reserve6())).Result.Status);
    }

    [RequiresTgtdFact]
    public async Task Target_warm_reset_and_abort_of_an_unknown_task_get_a_task_management_response()
    {
        var target = tgtd.CreateTarget();
        await using var t = await IscsiTransport.ConnectAsync("127.0.0.1", tgtd.Port, target.Iqn, 1, Node("tmf"));
        await IscsiTgtdTests.ClearUnitAttention(t);
        var warm = await t.TargetWarmResetAsync();
        Assert.True(warm is TaskManagementResponse.FunctionComplete or TaskManagementResponse.FunctionNotSupported, $"TARGET WARM RESET: {warm}");
        var abort = await t.AbortTaskAsync(0x0000_0FFF, 0);
        Assert.True(abort is TaskManagementResponse.FunctionComplete or TaskManagementResponse.TaskDoesNotExist, $"ABORT TASK: {abort}");
        await IscsiTgtdTests.ClearUnitAttention(t);
    }

    private static async Task Until(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(Patience);
        while (!condition())
        {
            await Task.Delay(10, guard.Token); // the target's answer travels on real sockets
        }
    }
}
