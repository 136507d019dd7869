using System.CommandLine;
using System.Reflection;

namespace HwFence.Cli.Commands;

/// <summary><c>hwfence version</c>: the build's version, for bug reports.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the HwFence version.");
        command.SetAction(_ =>
        {
            var v = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            Console.WriteLine($"hwfence {v}");
            return 0;
        });
        return command;
    }
}
