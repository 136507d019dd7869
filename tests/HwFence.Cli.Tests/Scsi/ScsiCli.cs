using System.CommandLine;
using HwFence.Cli.Commands.Scsi;
using HwFence.Emulator.Loopback;
using HwFence.Scsi.Addressing;

namespace HwFence.Cli.Tests.Scsi;

/// <summary>Runs <c>hwfence scsi …</c> in-process with captured output over a factory that knows emu: disks.</summary>
internal static class ScsiCli
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static Result Run(params string[] args) => Run(NewFactory(), args);

    public static Result Run(ScsiTransportFactory factory, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new RootCommand("test");
        root.Subcommands.Add(ScsiCommand.Create(factory, output, error));
        int code = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return new Result(code, output.ToString(), error.ToString());
    }

    public static ScsiTransportFactory NewFactory()
    {
        var factory = new ScsiTransportFactory();
        EmulatorScheme.Register(factory);
        return factory;
    }
}
