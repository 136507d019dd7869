using HwFence.Fencing.Power;
using HwFence.Hal.Power;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace HwFence.Fencing.Tests.Power;

public class PowerRelayFenceDeviceTests
{
    private readonly IRelay _relay1 = Substitute.For<IRelay>();
    private readonly IRelay _relay2 = Substitute.For<IRelay>();
    private readonly PowerRelayFenceDevice _device;

    public PowerRelayFenceDeviceTests()
    {
        _relay1.Name.Returns("usbrelay:16c0:05df/1");
        _relay2.Name.Returns("usbrelay:16c0:05df/2");
        _device = new PowerRelayFenceDevice(new Dictionary<int, IRelay> { [1] = _relay1, [2] = _relay2 });
    }

    [Fact]
    public async Task Fence_powers_off_the_victims_relay_only()
    {
        var result = await _device.FenceAsync(2);
        Assert.True(result.Succeeded);
        Assert.Equal(["usbrelay:16c0:05df/2"], result.Won);
        await _relay2.Received(1).OffAsync(Arg.Any<CancellationToken>());
        await _relay1.DidNotReceive().OffAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Failed_verification_is_a_failed_fence_naming_the_relay()
    {
        _relay2.OffAsync(Arg.Any<CancellationToken>()).ThrowsAsync(new RelayVerificationException("usbrelay:16c0:05df/2", PowerState.Off, PowerState.On));
        var result = await _device.FenceAsync(2);
        Assert.False(result.Succeeded);
        Assert.Contains("node 2 NOT powered off", result.Message);
        Assert.Single(result.Lost);
    }

    [Fact]
    public async Task Status_list_unfence_and_unknown_nodes()
    {
        _relay1.StatusAsync(Arg.Any<CancellationToken>()).Returns(PowerState.On);
        _relay2.StatusAsync(Arg.Any<CancellationToken>()).Returns(PowerState.Off);
        Assert.Equal(FenceStatus.On, await _device.StatusAsync(1));
        Assert.Equal(FenceStatus.Off, await _device.StatusAsync(2));
        Assert.Equal(FenceStatus.Unknown, await _device.StatusAsync(3));
        Assert.Equal([1, 2], await _device.ListAsync());
        Assert.True((await _device.UnfenceAsync(2)).Succeeded);
        await _relay2.Received(1).OnAsync(Arg.Any<CancellationToken>());
        var none = await _device.FenceAsync(3);
        Assert.False(none.Succeeded);
        Assert.Contains("no relay is configured for node 3", none.Message);
    }

    [Fact]
    public async Task Verify_names_the_relay_that_does_not_answer()
    {
        _relay2.StatusAsync(Arg.Any<CancellationToken>()).ThrowsAsync(new IOException("usbrelay:16c0:05df/2: GET_REPORT failed: LIBUSB_ERROR_NO_DEVICE (-4)"));
        var ex = await Assert.ThrowsAsync<IOException>(() => _device.VerifyAsync());
        Assert.Contains("relay of node 2 does not answer", ex.Message);
        Assert.Equal(FenceStatus.Unknown, await _device.StatusAsync(2));
    }
}
