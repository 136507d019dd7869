using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using HwFence.Emulator;
using HwFence.Emulator.Control;
using HwFence.Emulator.Iscsi;

namespace HwFence.Cli.Commands.Emulator;

/// <summary>
/// <c>hwfence emulator serve --backing FILE --size 256M [--listen 127.0.0.1:3260] [--iqn IQN] [--luns N]
/// [--allow-remote] [--control PATH] [--advertise HOST:PORT]</c>: serves the disk until SIGINT/SIGTERM, printing each LUN's
/// iscsi:// address and the control socket, and logging logins, logouts, reservation changes and faults.
/// </summary>
internal static class EmulatorServeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var backing = new Option<string>("--backing") { Description = "Backing file (created sparse if missing); LUN i>0 uses FILE.lun<i>; APTPL state lives in FILE.pr", Required = true };
        var size = new Option<string>("--size") { Description = "Disk size: bytes or with K/M/G/T suffix (default 256M)", DefaultValueFactory = _ => "256M" };
        var listen = new Option<string>("--listen") { Description = "Address:port to listen on (default 127.0.0.1:3260)", DefaultValueFactory = _ => "127.0.0.1:3260" };
        var iqn = new Option<string?>("--iqn") { Description = "Target name (default iqn.2026-01.org.hwfence:emulator.<backing file name>)" };
        var luns = new Option<int>("--luns") { Description = "Number of LUNs, 1-256 (default 1)", DefaultValueFactory = _ => 1 };
        var allowRemote = new Option<bool>("--allow-remote") { Description = "Allow a non-loopback --listen address (the emulator has no access control)" };
        var control = new Option<string?>("--control") { Description = "Control socket path for `hwfence emulator fault` (default $XDG_RUNTIME_DIR or /tmp, hwfence-emulator-<pid>.sock)" };
        var advertise = new Option<string?>("--advertise") { Description = "host:port that discovery (SendTargets) advertises, for initiators behind a NAT or port forward (default: the address each connection arrived on)" };

        var command = new Command("serve", "Serve an emulated shared disk over iSCSI until SIGINT/SIGTERM.");
        foreach (var o in new Option[] { backing, size, listen, iqn, luns, allowRemote, control, advertise })
        {
            command.Options.Add(o);
        }

        command.SetAction(parse =>
        {
            if (!ByteSize.TryParse(parse.GetValue(size), out long bytes, out string? sizeError))
            {
                error.WriteLine($"hwfence emulator serve: --size: {sizeError}");
                return 2;
            }

            if (!IPEndPoint.TryParse(parse.GetValue(listen)!, out var endpoint) || endpoint.Port == 0)
            {
                error.WriteLine($"hwfence emulator serve: --listen '{parse.GetValue(listen)}' is not address:port (e.g. 127.0.0.1:3260)");
                return 2;
            }

            var targetOptions = new IscsiTargetOptions { Listen = endpoint, AllowRemote = parse.GetValue(allowRemote), AdvertisedPortal = parse.GetValue(advertise) };
            try
            {
                targetOptions.Validate();
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"hwfence emulator serve: {(e.ParamName == nameof(IscsiTargetOptions.AdvertisedPortal) ? "--advertise" : "--listen")}: {e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal)}");
                return 2;
            }

            return Serve(parse.GetValue(backing)!, bytes, targetOptions, parse.GetValue(iqn), parse.GetValue(luns),
                parse.GetValue(control) ?? EmulatorControlServer.DefaultPath(), output, error);
        });
        return command;
    }

    private static int Serve(string backing, long bytes, IscsiTargetOptions targetOptions, string? iqn, int luns, string controlPath,
        TextWriter output, TextWriter error)
    {
        var log = new TextWriterEmulatorLog(output);
        EmulatedDisk disk;
        try
        {
            disk = EmulatedDisk.Open(backing, bytes, options: new EmulatedTargetOptions { Iqn = iqn, Luns = luns, Log = log });
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            error.WriteLine($"hwfence emulator serve: {e.Message}");
            return 1;
        }

        IscsiTargetServer? server = null;
        EmulatorControlServer? controlServer = null;
        try
        {
            server = disk.ServeIscsi(targetOptions);
            controlServer = EmulatorControlServer.Start(disk.Target, controlPath);
            output.WriteLine($"hwfence emulator: {Path.GetFullPath(backing)} ({bytes} bytes) as {disk.Target.Iqn}");
            for (int lun = 0; lun < luns; lun++)
            {
                output.WriteLine($"  LUN {lun}: {server.UrlFor(lun)}");
            }

            output.WriteLine($"  control socket: {controlServer.Path}  (hwfence emulator fault --control {controlServer.Path} status)");
            output.WriteLine("  stop with Ctrl+C or SIGTERM");
            output.Flush();

            using var stop = new ManualResetEventSlim();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
            stop.Wait();
            log.Info("signal received: stopping");
            return 0;
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            error.WriteLine($"hwfence emulator serve: {e.Message}");
            return 1;
        }
        finally
        {
            controlServer?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            disk.DisposeAsync().AsTask().GetAwaiter().GetResult();
            output.Flush();
        }
    }
}
