using HwFence.Hal.Scsi;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Faults;

/// <summary>
/// Faults injected for one initiator (by iSCSI initiator name, every ISID): added latency, a hang
/// (commands are accepted and never answered until aborted or the connection drops), and failing
/// the next N commands with a chosen status and sense. Thread-safe; changes apply to the next command.
/// </summary>
public sealed class InitiatorFaults
{
    private readonly object _gate = new();
    private long _latencyTicks;
    private int _hang;
    private int _failRemaining;
    private ScsiStatus _failStatus;
    private SenseKey _failKey;
    private AdditionalSense _failSense;

    internal InitiatorFaults(string initiatorName, Action changed)
    {
        InitiatorName = initiatorName;
        Changed = changed;
    }

    public string InitiatorName { get; }

    private Action Changed { get; }

    /// <summary>Delay added before each command executes (zero: none).</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _latencyTicks, value.Ticks);
            Changed();
        }
    }

    /// <summary>Commands are accepted and never answered (until aborted, or the hang is lifted for new commands).</summary>
    public bool Hang
    {
        get => Volatile.Read(ref _hang) != 0;
        set
        {
            Volatile.Write(ref _hang, value ? 1 : 0);
            Changed();
        }
    }

    /// <summary>Commands still to fail with the configured status.</summary>
    public int FailuresRemaining
    {
        get
        {
            lock (_gate)
            {
                return _failRemaining;
            }
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> commands end with <paramref name="status"/>; with CHECK
    /// CONDITION, the sense data carries <paramref name="key"/> and <paramref name="sense"/>.
    /// </summary>
    public void FailNext(int count, ScsiStatus status, SenseKey key = SenseKey.NoSense, AdditionalSense sense = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            _failRemaining = count;
            _failStatus = status;
            _failKey = key;
            _failSense = sense;
        }

        Changed();
    }

    /// <summary>True when any fault is configured.</summary>
    public bool IsActive => Interlocked.Read(ref _latencyTicks) != 0 || Hang || FailuresRemaining > 0;

    /// <summary>Removes every fault of this initiator.</summary>
    public void Clear()
    {
        Interlocked.Exchange(ref _latencyTicks, 0);
        Volatile.Write(ref _hang, 0);
        lock (_gate)
        {
            _failRemaining = 0;
        }

        Changed();
    }

    internal bool TryConsumeFailure(out ScsiStatus status, out SenseKey key, out AdditionalSense sense)
    {
        lock (_gate)
        {
            status = _failStatus;
            key = _failKey;
            sense = _failSense;
            if (_failRemaining <= 0)
            {
                return false;
            }

            _failRemaining--;
            return true;
        }
    }

    public override string ToString()
    {
        var parts = new List<string>();
        if (Latency > TimeSpan.Zero)
        {
            parts.Add($"latency {Latency.TotalMilliseconds} ms");
        }

        if (Hang)
        {
            parts.Add("hang");
        }

        if (FailuresRemaining > 0)
        {
            parts.Add($"fail next {FailuresRemaining} with {_failStatus}" + (_failStatus == ScsiStatus.CheckCondition ? $" {SenseKeyNames.Name(_failKey)} {_failSense}" : ""));
        }

        return $"{InitiatorName}: " + (parts.Count == 0 ? "no faults" : string.Join(", ", parts));
    }
}
