using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using HwFence.Scsi.Commands;
using HwFence.Scsi.PersistentReservations;

namespace HwFence.Cli.Commands.Scsi;

/// <summary>
/// <c>hwfence scsi pr out DEVICE --register|--register-ignore|--reserve|--release|--clear|--preempt|--preempt-abort
/// --param-rk K --param-sark K --prout-type T</c> (sg_persist --out; same short options, keys in hex).
/// </summary>
internal static class PrOutCommand
{
    private sealed record ActionOption(Option<bool> Option, PrOutServiceAction Action, bool NeedsType);

    public static Command Create(ScsiCliRunner runner)
    {
        var command = new Command("out",
            "PERSISTENT RESERVE OUT: register a key, reserve, release, clear, or preempt another node's key (the SCSI-3 fence). " +
            "Keys are hexadecimal, with or without 0x (as sg_persist). " + ScsiExitCodes.HelpText);
        var options = new ScsiCliOptions();
        options.AddTo(command);
        ActionOption[] actions =
        [
            new(new Option<bool>("--register", "-G") { Description = "REGISTER: --param-rk is the current key (0 if none), --param-sark the new key (0 unregisters)" }, PrOutServiceAction.Register, false),
            new(new Option<bool>("--register-ignore", "-I") { Description = "REGISTER AND IGNORE EXISTING KEY: register --param-sark whatever this initiator held" }, PrOutServiceAction.RegisterAndIgnoreExistingKey, false),
            new(new Option<bool>("--reserve", "-R") { Description = "RESERVE with --param-rk and --prout-type" }, PrOutServiceAction.Reserve, true),
            new(new Option<bool>("--release", "-L") { Description = "RELEASE the reservation held with --param-rk and --prout-type" }, PrOutServiceAction.Release, true),
            new(new Option<bool>("--clear", "-C") { Description = "CLEAR every registration and the reservation (needs a registered --param-rk)" }, PrOutServiceAction.Clear, false),
            new(new Option<bool>("--preempt", "-P") { Description = "PREEMPT the key --param-sark, reserving with --prout-type" }, PrOutServiceAction.Preempt, true),
            new(new Option<bool>("--preempt-abort", "-A") { Description = "PREEMPT AND ABORT: as --preempt, and abort the preempted initiator's commands (tgtd 1.0.85 lacks it: exit 9)" }, PrOutServiceAction.PreemptAndAbort, true),
        ];
        var rk = new Option<string>("--param-rk", "-K") { Description = "RESERVATION KEY: this initiator's registered key (hex)", DefaultValueFactory = _ => "0" };
        var sark = new Option<string>("--param-sark", "-S") { Description = "SERVICE ACTION RESERVATION KEY: new key (register) or key to preempt (hex)", DefaultValueFactory = _ => "0" };
        var type = new Option<string?>("--prout-type", "-T") { Description = "Reservation type: 1 WE, 3 EA, 5 WE_RO, 6 EA_RO, 7 WE_AR, 8 EA_AR (number or abbreviation)" };
        var aptpl = new Option<bool>("--param-aptpl", "-Z") { Description = "APTPL: registrations persist through power loss" };
        var allTgPt = new Option<bool>("--param-alltgpt", "-Y") { Description = "ALL_TG_PT: register through every target port" };
        foreach (var a in actions)
        {
            command.Options.Add(a.Option);
        }

        command.Options.Add(rk);
        command.Options.Add(sark);
        command.Options.Add(type);
        command.Options.Add(aptpl);
        command.Options.Add(allTgPt);

        command.Validators.Add(r =>
        {
            var chosen = actions.Where(a => r.GetValue(a.Option)).ToArray();
            if (chosen.Length != 1)
            {
                r.AddError("choose exactly one of --register, --register-ignore, --reserve, --release, --clear, --preempt, --preempt-abort");
                return;
            }

            Check(r, rk, out _);
            Check(r, sark, out _);
            string? typeText = r.GetValue(type);
            if (typeText is not null && !PersistentReservationTypeNames.TryParse(typeText, out _, out var typeError))
            {
                r.AddError($"--prout-type: {typeError}");
            }
            else if (typeText is null && chosen[0].NeedsType)
            {
                r.AddError($"--prout-type is required with {chosen[0].Option.Name} (e.g. --prout-type 5 for Write Exclusive, registrants only)");
            }
        });

        runner.SetAction(command, options, async call =>
        {
            var p = call.Parse;
            var action = actions.Single(a => p.GetValue(a.Option)).Action;
            TryParseKey(p.GetValue(rk), out ulong key);
            TryParseKey(p.GetValue(sark), out ulong serviceActionKey);
            PersistentReservationType? prType = p.GetValue(type) is { } t && PersistentReservationTypeNames.TryParse(t, out var parsed, out _) ? parsed : null;
            var flags = (p.GetValue(aptpl) ? PrOutFlags.Aptpl : 0) | (p.GetValue(allTgPt) ? PrOutFlags.AllTgPt : 0);
            var outcome = await call.Device.TryPersistentReserveOutAsync(action, prType, key, serviceActionKey, flags, cancellationToken: call.CancellationToken).ConfigureAwait(false);
            return call.Report(outcome, $"device {call.Address}: {ScsiCommandNames.PrOutName(action)} done");
        });
        return command;
    }

    private static void Check(CommandResult r, Option<string> option, out ulong key)
    {
        string text = r.GetValue(option) ?? "0";
        if (!TryParseKey(text, out key))
        {
            r.AddError($"{option.Name} '{text}': not a hexadecimal key of at most 16 digits (e.g. 0x1234abcd)");
        }
    }

    /// <summary>Parses a key the way sg_persist does: hexadecimal, optional 0x prefix or h suffix.</summary>
    internal static bool TryParseKey(string? text, out ulong key)
    {
        var t = (text ?? "").Trim().AsSpan();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            t = t[2..];
        }
        else if (t.EndsWith("h", StringComparison.OrdinalIgnoreCase))
        {
            t = t[..^1];
        }

        return ulong.TryParse(t, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out key) && t.Length > 0;
    }
}
