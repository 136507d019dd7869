using HwFence.Cluster.Failover;
using HwFence.Fencing;
using NSubstitute;

namespace HwFence.Cluster.Tests.Failover;

/// <summary>The fencer over the Fencing layer's devices (seam: IFenceDevice; the devices themselves are tested in Fencing).</summary>
public class FenceDeviceFencerTests
{
    private static IFenceDevice Device(string name, bool ok)
    {
        var d = Substitute.For<IFenceDevice>();
        d.Name.Returns(name);
        d.FenceAsync(Arg.Any<int>(), Arg.Any<CancellationToken>())
            .Returns(new FenceResult(ok, ok ? $"{name}: node fenced" : $"{name}: RESERVATION CONFLICT", ok ? [name] : [], ok ? [] : [name]));
        return d;
    }

    [Fact]
    public async Task FirstVerifiedMethodWinsAndEarlierFailuresAreKept()
    {
        var first = Device("scsi3-pr[emu:d0]", ok: false);
        var second = Device("power[relay1]", ok: true);
        var fencer = new FenceDeviceFencer(new Dictionary<string, IReadOnlyList<IFenceDevice>> { ["g"] = [first, second] }, TimeSpan.FromSeconds(30));
        var result = await fencer.FenceAsync("g", 2);
        Assert.True(result.Succeeded);
        Assert.Contains(result.Lost, l => l.Contains("scsi3-pr[emu:d0]"));
        await second.Received(1).FenceAsync(2, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task AllMethodsFailingIsAFailureNamingEachDevice()
    {
        var fencer = new FenceDeviceFencer(new Dictionary<string, IReadOnlyList<IFenceDevice>> { ["g"] = [Device("a", false), Device("b", false)] }, TimeSpan.FromSeconds(30));
        var result = await fencer.FenceAsync("g", 2);
        Assert.False(result.Succeeded);
        Assert.Contains("a: a: RESERVATION CONFLICT", result.Message);
        Assert.Contains("b: b: RESERVATION CONFLICT", result.Message);
    }

    [Fact]
    public async Task GroupWithoutDevicesNeverFailsOver()
    {
        var result = await new FenceDeviceFencer(new Dictionary<string, IReadOnlyList<IFenceDevice>>(), TimeSpan.FromSeconds(1)).FenceAsync("g", 2);
        Assert.False(result.Succeeded);
        Assert.Contains("no fencing device", result.Message);
    }
}
