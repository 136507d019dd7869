using System.Diagnostics;

namespace HwFence.Cli.Hil;

/// <summary>
/// Cuts a node's loopback LAN path with a dedicated nftables table <c>hwfence_hil_&lt;pid&gt;</c>:
/// UDP on <c>lo</c> to or from the node's port is dropped, nothing else (no other port, interface
/// or table is touched). Dispose deletes the table.
/// </summary>
/// <remarks>
/// <code>
/// table inet hwfence_hil_PID {
///   set cut { type inet_service; }
///   chain output { type filter hook output priority 0; policy accept;
///     oifname "lo" udp dport @cut drop
///     oifname "lo" udp sport @cut drop } }
/// </code>
/// </remarks>
internal sealed class LanCutter : IDisposable
{
    private bool _created;

    public string Table { get; } = $"hwfence_hil_{Environment.ProcessId}";

    /// <summary>Creates the table; false with the reason (nft missing, no CAP_NET_ADMIN…) when it cannot.</summary>
    public bool TryCreate(out string reason)
    {
        string script =
            $"table inet {Table} {{\n" +
            "  set cut { type inet_service; }\n" +
            "  chain output { type filter hook output priority 0; policy accept;\n" +
            "    oifname \"lo\" udp dport @cut drop\n" +
            "    oifname \"lo\" udp sport @cut drop\n" +
            "  }\n}\n";
        _created = Nft(["-f", "-"], script, out reason);
        if (!_created)
        {
            reason = $"cannot cut the LAN with nftables (table {Table}): {reason}";
        }

        return _created;
    }

    public bool TryCut(int port, out string reason) => Nft(["add", "element", "inet", Table, "cut", $"{{ {port} }}"], null, out reason);

    public bool TryHeal(int port, out string reason) => Nft(["delete", "element", "inet", Table, "cut", $"{{ {port} }}"], null, out reason);

    public void Dispose()
    {
        if (_created)
        {
            _created = false;
            Nft(["delete", "table", "inet", Table], null, out _);
        }
    }

    private static bool Nft(IEnumerable<string> args, string? stdin, out string reason)
    {
        var psi = new ProcessStartInfo("nft") { RedirectStandardError = true, RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        try
        {
            using var p = Process.Start(psi)!;
            p.StandardInput.Write(stdin ?? "");
            p.StandardInput.Close();
            string err = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(10_000))
            {
                p.Kill();
                reason = "nft did not answer within 10 s";
                return false;
            }

            reason = p.ExitCode == 0 ? "" : $"nft {string.Join(' ', psi.ArgumentList)} exited {p.ExitCode}: {err.Trim()}";
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            reason = $"nft is not installed or not runnable ({e.Message}); install the nftables package and run as root";
            return false;
        }
    }
}
