using System.CommandLine;
using System.Text.Json;
using HwFence.Scsi;
using HwFence.Scsi.Addressing;

namespace HwFence.Cli.Commands.Scsi;

/// <summary>
/// Opens the device named on the command line, runs one subcommand's body, and turns every failure
/// into a message that names the device and the remedy plus a documented exit code
/// (<see cref="ScsiExitCodes"/>). Text goes to <see cref="Out"/>, errors to <see cref="Error"/>;
/// with --json both success and failure print one JSON object on <see cref="Out"/>.
/// </summary>
internal sealed class ScsiCliRunner(ScsiTransportFactory factory, TextWriter output, TextWriter error)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>Wires <paramref name="body"/> as the action of <paramref name="command"/>.</summary>
    public void SetAction(Command command, ScsiCliOptions options, Func<ScsiCliCall, Task<int>> body) =>
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, options, body, cancellationToken));

    private async Task<int> RunAsync(ParseResult parseResult, ScsiCliOptions options, Func<ScsiCliCall, Task<int>> body, CancellationToken cancellationToken)
    {
        string address = parseResult.GetValue(options.Device) ?? "";
        bool json = parseResult.GetValue(options.Json);
        try
        {
            var open = new ScsiTransportOpenOptions { InitiatorName = parseResult.GetValue(options.InitiatorName) };
            var deviceOptions = new ScsiDeviceOptions { DefaultTimeout = TimeSpan.FromSeconds(parseResult.GetValue(options.Timeout)) };
            ScsiDevice opened;
            try
            {
                opened = await factory.OpenDeviceAsync(address, open, deviceOptions, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                // A scheme's opener refusing the address (e.g. no such emulated disk): the device is not there.
                string text = ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", "", StringComparison.Ordinal);
                string message = text.StartsWith("device ", StringComparison.Ordinal) ? text : $"device {address}: {text}";
                Fail(json, address, message, ScsiExitCodes.TransportError);
                return ScsiExitCodes.TransportError;
            }

            await using var device = opened;
            return await body(new ScsiCliCall(this, device, parseResult, json, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or FormatException)
        {
            int code = ScsiExitCodes.For(ex);
            string message = ex is DeviceAddressFormatException
                ? $"{ex.Message}. See `hwfence scsi --help` for the address forms."
                : ex.Message;
            Fail(json, address, message, code, ex as ScsiCommandException);
            return code;
        }
    }

    /// <summary>Reports a failure (text on stderr, or a JSON object on stdout).</summary>
    public void Fail(bool json, string device, string message, int exitCode, ScsiCommandException? command = null)
    {
        if (json)
        {
            WriteJson(new
            {
                device,
                ok = false,
                exitCode,
                error = message,
                command = command?.Command,
                status = command is null ? null : ScsiStatusNames.Name(command.Status),
                senseKey = command?.SenseKey is { } k ? HwFence.Scsi.Sense.SenseKeyNames.Name(k) : null,
                asc = command?.Asc is { } asc ? $"0x{asc:X2}" : null,
                ascq = command?.Ascq is { } ascq ? $"0x{ascq:X2}" : null,
                additionalSense = command?.Sense?.Additional.Name,
            });
        }
        else
        {
            Error.WriteLine($"hwfence scsi: {message}");
        }
    }

    public void WriteJson(object value) => Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
}

/// <summary>What a subcommand body gets: the open device, the parse result and the output mode.</summary>
internal sealed record ScsiCliCall(ScsiCliRunner Runner, ScsiDevice Device, ParseResult Parse, bool Json, CancellationToken CancellationToken)
{
    public string Address => Device.Address;

    /// <summary>Prints <paramref name="text"/>, or <paramref name="json"/> in --json mode; returns 0.</summary>
    public int Print(string text, object json)
    {
        if (Json)
        {
            Runner.WriteJson(json);
        }
        else
        {
            Runner.Out.WriteLine(text);
        }

        return ScsiExitCodes.Good;
    }

    /// <summary>Reports a non-GOOD outcome of a Try-method and returns its exit code.</summary>
    public int Report(in ScsiOutcome outcome, string goodText)
    {
        int code = ScsiExitCodes.For(outcome);
        if (code == ScsiExitCodes.Good)
        {
            var o = outcome;
            return Print(goodText, new { device = Address, ok = true, command = o.Command, status = ScsiStatusNames.Name(o.Status), unitAttentions = UnitAttentionNames(o) });
        }

        var ex = new ScsiCommandException(outcome);
        Runner.Fail(Json, Address, ex.Message, code, ex);
        return code;
    }

    public static string[] UnitAttentionNames(in ScsiOutcome o) =>
        o.UnitAttentions == 0 ? [] : o.UnitAttentions.ToString().Split(", ");
}
