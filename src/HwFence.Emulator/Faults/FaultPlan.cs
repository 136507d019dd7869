using System.Collections.Concurrent;

namespace HwFence.Emulator.Faults;

/// <summary>
/// Every fault injected into one emulated target, per initiator name. The command path asks
/// <see cref="Lookup"/> once per command; with no faults configured that is one volatile read.
/// Target-wide faults (drop connections, LU not ready, stop/restart) are methods of
/// <see cref="EmulatedTarget"/> because they act on the target, not on commands.
/// </summary>
public sealed class FaultPlan
{
    private readonly ConcurrentDictionary<string, InitiatorFaults> _byInitiator = new(StringComparer.Ordinal);
    private volatile bool _any;

    /// <summary>The faults of <paramref name="initiatorName"/> (created empty on first use).</summary>
    public InitiatorFaults For(string initiatorName) =>
        _byInitiator.GetOrAdd(initiatorName, n => new InitiatorFaults(n, Recompute));

    /// <summary>Removes every per-initiator fault.</summary>
    public void ClearAll()
    {
        foreach (var f in _byInitiator.Values)
        {
            f.Clear();
        }
    }

    /// <summary>The active faults for an initiator, or null (fast path).</summary>
    public InitiatorFaults? Lookup(string initiatorName)
    {
        if (!_any)
        {
            return null;
        }

        return _byInitiator.TryGetValue(initiatorName, out var f) && f.IsActive ? f : null;
    }

    /// <summary>One line per initiator with faults, for the control socket's "status".</summary>
    public IReadOnlyList<string> Describe() =>
        _byInitiator.Values.Where(f => f.IsActive).Select(f => f.ToString()).OrderBy(s => s, StringComparer.Ordinal).ToArray();

    private void Recompute()
    {
        lock (_byInitiator)
        {
            bool any = false;
            foreach (var f in _byInitiator.Values)
            {
                any |= f.IsActive;
            }

            _any = any;
        }
    }
}
