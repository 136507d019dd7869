using System.CommandLine;

namespace HwFence.Cli.Commands.Emulator;

/// <summary>
/// <c>hwfence emulator</c>: HwFence's emulated shared SCSI disk. <c>serve</c> runs it as an iSCSI
/// target; <c>fault</c> tells a running one to misbehave through its control socket.
/// </summary>
internal static class EmulatorCommand
{
    public static Command Create()
    {
        var emulator = new Command("emulator", "Run HwFence's emulated shared SCSI disk (an iSCSI target with SPC-2 and SPC-3/4 reservations) and inject faults into it.");
        emulator.Subcommands.Add(EmulatorServeCommand.Create(Console.Out, Console.Error));
        emulator.Subcommands.Add(EmulatorFaultCommand.Create(Console.Out, Console.Error));
        return emulator;
    }
}
