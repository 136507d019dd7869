using HwFence.Hal.Power;
using HwFence.Testing;
using NSubstitute;

namespace HwFence.Fencing.Tests.Power;

/// <summary>Relay logic over a substituted coil driver (no GPIO or USB on CI machines).</summary>
public class RelayTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly IRelayDriver _driver = Substitute.For<IRelayDriver>();
    private bool _coil;

    public RelayTests()
    {
        _driver.Name.Returns("gpio:/dev/gpiochip0:17");
        _driver.When(d => d.SetEnergized(Arg.Any<bool>())).Do(c => _coil = c.Arg<bool>());
        _driver.ReadEnergized().Returns(_ => _coil);
    }

    private Relay NewRelay(RelayWiring wiring = RelayWiring.NormallyClosed) =>
        new(_driver, _time, new RelayOptions { Wiring = wiring, SettleTime = TimeSpan.Zero });

    [Fact]
    public async Task Normally_closed_wiring_energizes_the_coil_to_cut_power()
    {
        using var relay = NewRelay();
        await relay.OffAsync();
        Assert.True(_coil);
        Assert.Equal(PowerState.Off, await relay.StatusAsync());
        await relay.OnAsync();
        Assert.False(_coil);
        Assert.Equal(PowerState.On, await relay.StatusAsync());
    }

    [Fact]
    public async Task Normally_open_wiring_is_the_inverse()
    {
        using var relay = NewRelay(RelayWiring.NormallyOpen);
        await relay.OffAsync();
        Assert.False(_coil);
        Assert.Equal(PowerState.Off, await relay.StatusAsync());
    }

    [Fact]
    public async Task A_relay_that_does_not_move_fails_verification_naming_the_device()
    {
        _driver.ReadEnergized().Returns(false); // stuck contact
        using var relay = NewRelay();
        var ex = await Assert.ThrowsAsync<RelayVerificationException>(() => relay.OffAsync());
        Assert.Contains("relay gpio:/dev/gpiochip0:17: switched power off but reads back on", ex.Message);
        _driver.Received(3).ReadEnergized();
    }

    [Fact]
    public async Task Read_back_waits_for_the_contact_to_settle_on_the_injected_clock()
    {
        int reads = 0;
        _driver.ReadEnergized().Returns(_ => ++reads >= 2 && _coil); // settles on the second look
        using var relay = new Relay(_driver, _time, new RelayOptions { SettleTime = TimeSpan.FromMilliseconds(20) });
        var off = relay.OffAsync();
        Assert.False(off.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.False(off.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(20));
        await off;
        Assert.Equal(2, reads);
    }

    [Fact]
    public async Task Reboot_keeps_power_off_for_the_configured_time()
    {
        using var relay = NewRelay();
        var reboot = relay.RebootAsync();
        Assert.True(_coil); // off
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.True(_coil);
        Assert.False(reboot.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        await reboot;
        Assert.False(_coil); // on again
    }

    [Fact]
    public async Task Driver_errors_surface_with_the_device_name()
    {
        _driver.When(d => d.SetEnergized(Arg.Any<bool>())).Do(_ => throw new IOException("gpio:/dev/gpiochip0:17: gpiod_line_set_value(1) failed: errno 5"));
        using var relay = NewRelay();
        var ex = await Assert.ThrowsAsync<IOException>(() => relay.OffAsync());
        Assert.Contains("gpiod_line_set_value", ex.Message);
    }

    [Fact]
    public void Options_validation()
    {
        Assert.Empty(new RelayOptions().Validate());
        Assert.NotEmpty(new RelayOptions { RebootOffTime = TimeSpan.FromMilliseconds(100) }.Validate());
        Assert.NotEmpty(new RelayOptions { VerifyAttempts = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new Relay(_driver, _time, new RelayOptions { VerifyAttempts = 0 }));
    }
}
