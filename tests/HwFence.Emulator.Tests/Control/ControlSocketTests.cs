using HwFence.Emulator.Control;
using HwFence.Emulator.Tests.Support;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Tests.Control;

/// <summary>The run-time fault interface (<c>hwfence emulator fault</c>) over a real Unix domain socket.</summary>
public sealed class ControlSocketTests
{
    [Fact]
    public async Task Requests_over_the_socket_inject_and_clear_faults()
    {
        await using var f = new DiskFixture();
        string path = Path.Combine(Path.GetTempPath(), $"h4-ctl-{Guid.NewGuid():N}.sock");
        await using var control = EmulatorControlServer.Start(f.Disk.Target, path);
        var a = f.Initiator(DiskFixture.NodeA);

        string answer = await EmulatorControlServer.SendAsync(path, $"fail {DiskFixture.NodeA} 1 check-condition 0x03 0x11 0x00");
        Assert.StartsWith("ok", answer);
        a.AssertCheck(a.Tur(), SenseKey.MediumError, AdditionalSense.UnrecoveredReadError);
        Assert.Equal(ScsiStatus.Good, a.Tur());

        Assert.StartsWith("ok", await EmulatorControlServer.SendAsync(path, "not-ready on"));
        a.AssertCheck(a.Tur(), SenseKey.NotReady, AdditionalSense.LogicalUnitNotReadyManualIntervention);
        Assert.StartsWith("ok", await EmulatorControlServer.SendAsync(path, "not-ready off"));
        a.ClearUnitAttentions();

        Assert.Equal(ScsiStatus.Good, a.Register(0x99));
        string status = await EmulatorControlServer.SendAsync(path, "status");
        Assert.StartsWith("ok running", status);
        Assert.Contains("1 registration(s)", status);
        Assert.Contains(DiskFixture.NodeA, status);

        Assert.StartsWith("ok", await EmulatorControlServer.SendAsync(path, $"latency {DiskFixture.NodeA} 250"));
        Assert.Contains("latency 250 ms", await EmulatorControlServer.SendAsync(path, "status"));
        Assert.StartsWith("ok", await EmulatorControlServer.SendAsync(path, "clear"));
        Assert.DoesNotContain("latency", await EmulatorControlServer.SendAsync(path, "status"));

        Assert.StartsWith("ok", await EmulatorControlServer.SendAsync(path, "restart"));
        a.AssertCheck(a.Tur(), SenseKey.UnitAttention, AdditionalSense.PowerOnResetOrBusDeviceResetOccurred);
        Assert.Empty(a.ReadKeys().Keys); // no APTPL: registrations did not survive
    }

    [Theory]
    [InlineData("", "empty request")]
    [InlineData("explode now", "cannot parse")]
    [InlineData("fail iqn.x two busy", "count 'two'")]
    [InlineData("fail iqn.x 1 sideways", "status 'sideways'")]
    [InlineData("fail iqn.x 1 check-condition", "needs <sense-key>")]
    [InlineData("latency iqn.x -5", "cannot parse")]
    public async Task Bad_requests_get_an_error_naming_what_is_wrong(string request, string expected)
    {
        await using var f = new DiskFixture();
        string answer = EmulatorControlProtocol.Execute(f.Disk.Target, request);
        Assert.StartsWith("error", answer);
        Assert.Contains(expected, answer);
    }

    [Fact]
    public async Task Connecting_to_a_missing_socket_says_what_to_do()
    {
        var e = await Assert.ThrowsAsync<IOException>(() => EmulatorControlServer.SendAsync("/tmp/h4-no-such-emulator.sock", "status"));
        Assert.Contains("hwfence emulator serve", e.Message);
    }
}
