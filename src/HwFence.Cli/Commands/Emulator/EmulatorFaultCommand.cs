using System.CommandLine;
using HwFence.Emulator.Control;

namespace HwFence.Cli.Commands.Emulator;

/// <summary>
/// <c>hwfence emulator fault [--control PATH] REQUEST…</c>: sends one control request to a running
/// emulator (protocol: <see cref="EmulatorControlProtocol"/>). Exit 0 on "ok", 1 on "error", 2 when the
/// socket cannot be reached.
/// </summary>
internal static class EmulatorFaultCommand
{
    private const string Help =
        "Inject a fault into a running `hwfence emulator serve`. Requests: " +
        "status | latency <initiator> <ms> | hang <initiator> on|off | " +
        "fail <initiator> <count> <good|check-condition|busy|reservation-conflict|task-set-full|task-aborted|0xNN> [<sense-key> <asc> <ascq>] | " +
        "drop <initiator>|all | not-ready on|off | stop | start | restart | clear [<initiator>]. " +
        "Example: hwfence emulator fault hang iqn.2026-01.org.hwfence:node1 on";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var control = new Option<string?>("--control") { Description = "Control socket the emulator printed at start (default: the only /tmp or $XDG_RUNTIME_DIR hwfence-emulator-*.sock)" };
        var request = new Argument<string[]>("request") { Description = "The request words, e.g. latency iqn.2026-01.org.hwfence:node1 200", Arity = ArgumentArity.OneOrMore };
        var command = new Command("fault", Help);
        command.Options.Add(control);
        command.Arguments.Add(request);
        command.SetAction(parse =>
        {
            string? why = null;
            string? path = parse.GetValue(control) ?? FindSocket(out why);
            if (path is null)
            {
                error.WriteLine($"hwfence emulator fault: {why}");
                return 2;
            }

            string answer;
            try
            {
                answer = EmulatorControlServer.SendAsync(path, string.Join(' ', parse.GetValue(request)!)).GetAwaiter().GetResult();
            }
            catch (IOException e)
            {
                error.WriteLine($"hwfence emulator fault: {e.Message}");
                return 2;
            }

            bool ok = answer.StartsWith("ok", StringComparison.Ordinal);
            (ok ? output : error).WriteLine(answer);
            return ok ? 0 : 1;
        });
        return command;
    }

    private static string? FindSocket(out string? why)
    {
        var dirs = new[] { Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR"), Path.GetTempPath() }.Where(d => !string.IsNullOrEmpty(d) && Directory.Exists(d)).Distinct();
        var found = dirs.SelectMany(d => Directory.GetFiles(d!, "hwfence-emulator-*.sock")).ToList();
        if (found.Count == 1)
        {
            why = null;
            return found[0];
        }

        why = found.Count == 0
            ? "no running emulator found (no hwfence-emulator-*.sock); start `hwfence emulator serve` or pass --control PATH"
            : $"several emulators are running ({string.Join(", ", found)}); pass --control PATH";
        return null;
    }
}
