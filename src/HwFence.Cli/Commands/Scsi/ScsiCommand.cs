using System.CommandLine;
using HwFence.Emulator.Loopback;
using HwFence.Scsi.Addressing;

namespace HwFence.Cli.Commands.Scsi;

/// <summary>
/// <c>hwfence scsi</c>: the sg3_utils commands an operator of a shared-disk cluster reaches for
/// (sg_turs, sg_inq, sg_readcap, sg_persist, and RESERVE/RELEASE), over any HwFence transport —
/// including the built-in iSCSI initiator, so no open-iscsi login is needed.
/// </summary>
internal static class ScsiCommand
{
    public static Command Create()
    {
        var factory = new ScsiTransportFactory();
        EmulatorScheme.Register(factory); // emu:<name> resolves to disks hosted in this process (demo, tests)
        return Create(factory, Console.Out, Console.Error);
    }

    /// <summary>Builds the tree over <paramref name="factory"/> (tests register fake schemes) writing to the given writers.</summary>
    public static Command Create(ScsiTransportFactory factory, TextWriter output, TextWriter error)
    {
        var runner = new ScsiCliRunner(factory, output, error);
        var scsi = new Command("scsi", "Send SCSI commands to a shared disk (like sg3_utils). " + ScsiExitCodes.HelpText);
        scsi.Subcommands.Add(TurCommand.Create(runner));
        scsi.Subcommands.Add(InquiryCommand.Create(runner));
        scsi.Subcommands.Add(ReadCapCommand.Create(runner));
        scsi.Subcommands.Add(ReserveReleaseCommands.CreateReserve(runner));
        scsi.Subcommands.Add(ReserveReleaseCommands.CreateRelease(runner));
        scsi.Subcommands.Add(ResetCommand.Create(runner));
        var pr = new Command("pr",
            "SCSI-3 persistent reservations (like sg_persist). Over iscsi:// each hwfence call is its own iSCSI session, " +
            "i.e. its own I_T nexus: targets that key registrations by nexus (tgtd) forget them when the call ends; for " +
            "multi-step work log in with open-iscsi and use /dev/sgN. " + ScsiExitCodes.HelpText);
        pr.Subcommands.Add(PrInCommand.Create(runner));
        pr.Subcommands.Add(PrOutCommand.Create(runner));
        scsi.Subcommands.Add(pr);
        return scsi;
    }
}
