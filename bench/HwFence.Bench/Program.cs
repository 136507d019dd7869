using BenchmarkDotNet.Running;

namespace HwFence.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/HwFence.Bench -- [--filter *Name*]</c> runs the
/// BenchmarkDotNet suites; harnesses that need a live target (tgtd, the emulator) are
/// subcommands: <c>-- harness NAME</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "harness")
        {
            return Harnesses.Run(args.Skip(1).ToArray());
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
