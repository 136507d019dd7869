namespace HwFence.Hal.Power;

/// <summary>
/// <see cref="IRelay"/> over any <see cref="IRelayDriver"/>: maps power states to coil states through
/// the <see cref="RelayWiring"/>, waits for the contact to settle (on the injected clock) and reads the
/// state back before reporting success.
/// </summary>
public sealed class Relay : IRelay
{
    private readonly IRelayDriver _driver;
    private readonly RelayOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public Relay(IRelayDriver driver, TimeProvider timeProvider, RelayOptions? options = null)
    {
        _options = options ?? new RelayOptions();
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"relay {driver.Name}: " + string.Join("; ", errors));
        }

        _driver = driver;
        _time = timeProvider;
    }

    public string Name => _driver.Name;

    public Task OffAsync(CancellationToken cancellationToken = default) => SwitchAsync(PowerState.Off, cancellationToken);

    public Task OnAsync(CancellationToken cancellationToken = default) => SwitchAsync(PowerState.On, cancellationToken);

    public async Task RebootAsync(CancellationToken cancellationToken = default)
    {
        await SwitchAsync(PowerState.Off, cancellationToken);
        await Task.Delay(_options.RebootOffTime, _time, cancellationToken);
        await SwitchAsync(PowerState.On, cancellationToken);
    }

    public Task<PowerState> StatusAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(ToPower(_driver.ReadEnergized()));

    public void Dispose()
    {
        _driver.Dispose();
        _gate.Dispose();
    }

    private async Task SwitchAsync(PowerState wanted, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            _driver.SetEnergized(ToCoil(wanted));
            var readBack = wanted == PowerState.On ? PowerState.Off : PowerState.On;
            for (int attempt = 0; attempt < _options.VerifyAttempts; attempt++)
            {
                if (_options.SettleTime > TimeSpan.Zero)
                {
                    await Task.Delay(_options.SettleTime, _time, ct);
                }

                readBack = ToPower(_driver.ReadEnergized());
                if (readBack == wanted)
                {
                    return;
                }
            }

            throw new RelayVerificationException(Name, wanted, readBack);
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool ToCoil(PowerState power) =>
        _options.Wiring == RelayWiring.NormallyClosed ? power == PowerState.Off : power == PowerState.On;

    private PowerState ToPower(bool energized) =>
        (_options.Wiring == RelayWiring.NormallyClosed) == energized ? PowerState.Off : PowerState.On;
}
