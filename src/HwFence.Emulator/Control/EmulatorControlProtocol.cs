using System.Globalization;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Control;

/// <summary>
/// The emulator's control protocol, spoken over a Unix domain socket by <c>hwfence emulator fault</c>
/// (and by anything else: <c>socat - UNIX-CONNECT:PATH</c> works). One request line per connection,
/// UTF-8, words separated by spaces; the answer is one line starting with <c>ok</c> or <c>error</c>,
/// then the server closes the connection.
/// <code>
/// status                                   → ok followed by "; "-separated state (nexuses, reservations, faults)
/// latency  &lt;initiator&gt; &lt;milliseconds&gt;       → every command of that initiator waits first (0: off)
/// hang     &lt;initiator&gt; on|off                → commands accepted, never answered (until aborted)
/// fail     &lt;initiator&gt; &lt;count&gt; &lt;status&gt; [&lt;sense-key&gt; &lt;asc&gt; &lt;ascq&gt;]
///                                          → next N commands end with status (good, check-condition,
///                                            busy, reservation-conflict, task-set-full, task-aborted or 0xNN);
///                                            sense key/ASC/ASCQ as numbers (0x03 0x11 0x00) for check-condition
/// drop     &lt;initiator&gt;|all                   → reset that initiator's connections (I_T nexus loss)
/// not-ready on|off                         → every LUN reports NOT READY (04/03) until off
/// stop | start | restart                   → power off / on (APTPL state survives, the rest does not)
/// clear    [&lt;initiator&gt;]                    → remove per-initiator faults (all when no initiator)
/// </code>
/// </summary>
public static class EmulatorControlProtocol
{
    /// <summary>Executes one request line against <paramref name="target"/>; returns the answer line.</summary>
    public static string Execute(EmulatedTarget target, string line)
    {
        string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (w.Length == 0)
        {
            return "error empty request; try 'status'";
        }

        try
        {
            switch (w[0].ToLowerInvariant())
            {
                case "status":
                    return "ok " + Status(target);
                case "latency" when w.Length == 3 && int.TryParse(w[2], NumberStyles.None, CultureInfo.InvariantCulture, out int ms):
                    target.Faults.For(w[1]).Latency = TimeSpan.FromMilliseconds(ms);
                    return Log(target, $"latency of {w[1]} set to {ms} ms");
                case "hang" when w.Length == 3 && w[2] is "on" or "off":
                    target.Faults.For(w[1]).Hang = w[2] == "on";
                    return Log(target, $"hang of {w[1]} {w[2]}");
                case "fail" when w.Length is 4 or 7:
                    return Fail(target, w);
                case "drop" when w.Length == 2:
                    target.DropConnections(w[1] == "all" ? null : w[1]);
                    return $"ok dropped the connections of {w[1]}";
                case "not-ready" when w.Length == 2 && w[1] is "on" or "off":
                    target.SetNotReady(w[1] == "on");
                    return $"ok not-ready {w[1]}";
                case "stop":
                    target.Stop();
                    return "ok target stopped";
                case "start":
                    target.Start();
                    return "ok target started";
                case "restart":
                    target.Stop();
                    target.Start();
                    return "ok target restarted";
                case "clear" when w.Length == 1:
                    target.Faults.ClearAll();
                    return Log(target, "all per-initiator faults cleared");
                case "clear" when w.Length == 2:
                    target.Faults.For(w[1]).Clear();
                    return Log(target, $"faults of {w[1]} cleared");
                default:
                    return $"error cannot parse '{line}'; commands: status, latency, hang, fail, drop, not-ready, stop, start, restart, clear";
            }
        }
        catch (ArgumentException e)
        {
            return "error " + e.Message;
        }
    }

    private static string Fail(EmulatedTarget target, string[] w)
    {
        if (!int.TryParse(w[2], NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            return $"error fail: count '{w[2]}' is not a number";
        }

        if (!TryParseStatus(w[3], out var status))
        {
            return $"error fail: status '{w[3]}' is not good, check-condition, busy, reservation-conflict, task-set-full, task-aborted or 0xNN";
        }

        var key = SenseKey.NoSense;
        var asc = AdditionalSense.None;
        if (w.Length == 7)
        {
            if (!TryByte(w[4], out byte k) || !TryByte(w[5], out byte a) || !TryByte(w[6], out byte q))
            {
                return "error fail: sense key, ASC and ASCQ must be numbers (e.g. 0x03 0x11 0x00)";
            }

            key = (SenseKey)k;
            asc = new AdditionalSense(a, q);
        }
        else if (status == ScsiStatus.CheckCondition)
        {
            return "error fail: check-condition needs <sense-key> <asc> <ascq>";
        }

        target.Faults.For(w[1]).FailNext(count, status, key, asc);
        return Log(target, $"next {count} command(s) of {w[1]} fail with {status}" + (w.Length == 7 ? $" {SenseKeyNames.Name(key)} {asc}" : ""));
    }

    private static string Log(EmulatedTarget target, string message)
    {
        target.Log.Info("fault: " + message);
        return "ok " + message;
    }

    private static string Status(EmulatedTarget target)
    {
        var parts = new List<string> { target.IsStopped ? "stopped" : "running" };
        parts.Add($"{target.Nexuses.Count} nexus(es)" + (target.Nexuses.Count > 0 ? ": " + string.Join(", ", target.Nexuses.Select(n => n.Initiator.PortName)) : ""));
        foreach (var u in target.LogicalUnits)
        {
            parts.Add($"LUN {u.Lun}: {u.DescribeReservation()}" + (u.Spc2Holder is { } h ? $", SPC-2 reserved by {h.Initiator.PortName}" : ""));
        }

        parts.AddRange(target.Faults.Describe());
        return string.Join("; ", parts);
    }

    /// <summary>Status names as the CLI spells them, or 0xNN.</summary>
    public static bool TryParseStatus(string text, out ScsiStatus status)
    {
        status = text.ToLowerInvariant() switch
        {
            "good" => ScsiStatus.Good,
            "check-condition" => ScsiStatus.CheckCondition,
            "busy" => ScsiStatus.Busy,
            "reservation-conflict" => ScsiStatus.ReservationConflict,
            "task-set-full" => ScsiStatus.TaskSetFull,
            "task-aborted" => ScsiStatus.TaskAborted,
            _ => (ScsiStatus)0xFF,
        };
        if ((byte)status != 0xFF)
        {
            return true;
        }

        if (TryByte(text, out byte b))
        {
            status = (ScsiStatus)b;
            return true;
        }

        return false;
    }

    private static bool TryByte(string text, out byte value) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? byte.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value)
            : byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
