using System.CommandLine;
using System.Globalization;
using System.Text;
using HwFence.Scsi.PersistentReservations;

namespace HwFence.Cli.Commands.Scsi;

/// <summary>
/// <c>hwfence scsi pr in DEVICE --read-keys|--read-reservation|--report-capabilities|--read-full-status</c>
/// (sg_persist --in). Default: --read-keys, as sg_persist.
/// </summary>
internal static class PrInCommand
{
    public static Command Create(ScsiCliRunner runner)
    {
        var command = new Command("in", "PERSISTENT RESERVE IN: read registrations and the reservation. " + ScsiExitCodes.HelpText);
        var options = new ScsiCliOptions();
        var readKeys = new Option<bool>("--read-keys", "-k") { Description = "READ KEYS: the registered reservation keys (default)" };
        var readReservation = new Option<bool>("--read-reservation", "-r") { Description = "READ RESERVATION: the reservation holder, type and scope" };
        var capabilities = new Option<bool>("--report-capabilities", "-c") { Description = "REPORT CAPABILITIES: what the device's PR implementation supports" };
        var fullStatus = new Option<bool>("--read-full-status", "-s") { Description = "READ FULL STATUS: every registration with its initiator port (tgtd 1.0.85 lacks it: exit 9)" };
        options.AddTo(command);
        Option<bool>[] actions = [readKeys, readReservation, capabilities, fullStatus];
        foreach (var o in actions)
        {
            command.Options.Add(o);
        }

        command.Validators.Add(r =>
        {
            if (actions.Count(o => r.GetValue(o)) > 1)
            {
                r.AddError("choose one of --read-keys, --read-reservation, --report-capabilities, --read-full-status");
            }
        });

        runner.SetAction(command, options, async call =>
        {
            var p = call.Parse;
            var ct = call.CancellationToken;
            if (p.GetValue(readReservation))
            {
                var r = await call.Device.ReadReservationAsync(ct).ConfigureAwait(false);
                string text = r.Reservation is { } res
                    ? $"  PR generation=0x{r.Generation:x}, Reservation follows:\n    Key=0x{res.Key:x}\n    scope: {(res.Scope == 0 ? "LU_SCOPE" : $"0x{res.Scope:x}")},  type: {PersistentReservationTypeNames.Name(res.Type)}"
                    : $"  PR generation=0x{r.Generation:x}, there is NO reservation held";
                return call.Print(text, new
                {
                    device = call.Address,
                    ok = true,
                    generation = r.Generation,
                    reservation = r.Reservation is { } x
                        ? new { key = Hex(x.Key), type = (byte)x.Type, typeName = PersistentReservationTypeNames.Abbreviation(x.Type), scope = x.Scope }
                        : null,
                });
            }

            if (p.GetValue(capabilities))
            {
                var c = await call.Device.ReportCapabilitiesAsync(ct).ConfigureAwait(false);
                var sb = new StringBuilder("Report capabilities response:\n");
                sb.Append(CultureInfo.InvariantCulture,
                    $"  Replace Lost Reservation Capable(RLR_C): {B(c.ReplaceLostReservationCapable)}\n" +
                    $"  Compatible Reservation Handling(CRH): {B(c.CompatibleReservationHandling)}\n" +
                    $"  Specify Initiator Ports Capable(SIP_C): {B(c.SpecifyInitiatorPortsCapable)}\n" +
                    $"  All Target Ports Capable(ATP_C): {B(c.AllTargetPortsCapable)}\n" +
                    $"  Persist Through Power Loss Capable(PTPL_C): {B(c.PersistThroughPowerLossCapable)}\n" +
                    $"  Type Mask Valid(TMV): {B(c.TypeMaskValid)}\n" +
                    $"  Allow Commands: {c.AllowCommands}\n" +
                    $"  Persist Through Power Loss Active(PTPL_A): {B(c.PersistThroughPowerLossActivated)}");
                if (c.TypeMaskValid)
                {
                    sb.Append("\n    Support indicated in Type mask:");
                    foreach (var t in PersistentReservationTypeNames.All)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"\n      {PersistentReservationTypeNames.Name(t)}: {B(c.Supports(t))}");
                    }
                }

                return call.Print(sb.ToString(), new
                {
                    device = call.Address,
                    ok = true,
                    replaceLostReservation = c.ReplaceLostReservationCapable,
                    compatibleReservationHandling = c.CompatibleReservationHandling,
                    specifyInitiatorPorts = c.SpecifyInitiatorPortsCapable,
                    allTargetPorts = c.AllTargetPortsCapable,
                    persistThroughPowerLoss = c.PersistThroughPowerLossCapable,
                    persistThroughPowerLossActive = c.PersistThroughPowerLossActivated,
                    typeMaskValid = c.TypeMaskValid,
                    allowCommands = c.AllowCommands,
                    types = c.TypeMaskValid ? PersistentReservationTypeNames.All.Where(c.Supports).Select(PersistentReservationTypeNames.Abbreviation).ToArray() : null,
                });
            }

            if (p.GetValue(fullStatus))
            {
                var f = await call.Device.ReadFullStatusAsync(ct).ConfigureAwait(false);
                var sb = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"  PR generation=0x{f.Generation:x}"));
                if (f.Registrations.Count == 0)
                {
                    sb.Append(", there are NO registered reservation keys");
                }

                foreach (var d in f.Registrations)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"\n    Key=0x{d.Key:x}\n      All target ports bit {(d.AllTargetPorts ? 1 : 0)}, Relative port address: 0x{d.RelativeTargetPortId:x}");
                    sb.Append(d.ReservationHolder
                        ? $"\n      << Reservation holder >>\n      scope: {(d.Scope == 0 ? "LU_SCOPE" : $"0x{d.Scope:x}")},  type: {PersistentReservationTypeNames.Name(d.Type)}"
                        : "\n      not reservation holder");
                    sb.Append(CultureInfo.InvariantCulture, $"\n      Transport Id of initiator:\n        {d.TransportId}");
                }

                return call.Print(sb.ToString(), new
                {
                    device = call.Address,
                    ok = true,
                    generation = f.Generation,
                    registrations = f.Registrations.Select(d => new
                    {
                        key = Hex(d.Key),
                        allTargetPorts = d.AllTargetPorts,
                        reservationHolder = d.ReservationHolder,
                        type = d.ReservationHolder ? PersistentReservationTypeNames.Abbreviation(d.Type) : null,
                        relativeTargetPort = d.RelativeTargetPortId,
                        transportId = d.TransportId.ToString(),
                    }).ToArray(),
                });
            }

            var k = await call.Device.ReadKeysAsync(ct).ConfigureAwait(false);
            var keys = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"  PR generation=0x{k.Generation:x}, "));
            keys.Append(k.Keys.Count == 0 ? "there are NO registered reservation keys" : $"{k.Keys.Count} registered reservation key{(k.Keys.Count == 1 ? "" : "s")} follow{(k.Keys.Count == 1 ? "s" : "")}:");
            foreach (ulong key in k.Keys)
            {
                keys.Append(CultureInfo.InvariantCulture, $"\n    0x{key:x}");
            }

            return call.Print(keys.ToString(), new { device = call.Address, ok = true, generation = k.Generation, keys = k.Keys.Select(Hex).ToArray() });
        });
        return command;
    }

    private static string B(bool value) => value ? "1" : "0";

    private static string Hex(ulong key) => $"0x{key:x}";
}
