using System.Diagnostics;

namespace HwFence.Cli.Demo;

/// <summary>
/// How to start another <c>hwfence</c> process from this one: the apphost when it is the current
/// executable, otherwise <c>dotnet hwfence.dll</c>.
/// </summary>
internal static class SelfInvocation
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        string? exe = Environment.ProcessPath;
        string dll = typeof(SelfInvocation).Assembly.Location;
        ProcessStartInfo psi;
        if (exe is not null && Path.GetFileNameWithoutExtension(exe) == "hwfence")
        {
            psi = new ProcessStartInfo(exe);
        }
        else
        {
            psi = new ProcessStartInfo(exe ?? "dotnet");
            psi.ArgumentList.Add(dll);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.UseShellExecute = false;
        return psi;
    }
}
