using System.CommandLine;
using System.Runtime.InteropServices;
using HwFence.Cluster.Configuration;

namespace HwFence.Cli.Node;

/// <summary><c>hwfence node run</c>: the per-node daemon, in the foreground (systemd: Type=simple).</summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var node = new Command("node", "Run this server's HwFence daemon.");
        var run = new Command("run", "Run the node daemon in the foreground until SIGTERM/SIGINT. Exit 0 = clean stop, 1 = could not start (the message says why), 2 = usage, 4 = this node fenced itself (its key was removed or it lost its disk path while hosting; its applications were stopped).");
        var config = new Option<FileInfo>("--config", "-c") { Description = "The cluster.yaml shared by all nodes.", Required = true };
        var name = new Option<string>("--node", "-n") { Description = "This node's name in the configuration.", Required = true };
        var stateDir = new Option<string?>("--state-dir") { Description = "Override cluster.state_dir (database, event log, status.json); needed when several nodes share one machine." };
        run.Options.Add(config);
        run.Options.Add(name);
        run.Options.Add(stateDir);
        run.SetAction(async (pr, ct) =>
        {
            if (!ClusterConfigLoader.TryLoad(pr.GetValue(config)!.FullName, out var cfg, out var errors))
            {
                foreach (var e in errors)
                {
                    Console.Error.WriteLine(e.ToString());
                }

                return 1;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            await using var host = new NodeHost(cfg!, pr.GetValue(name)!, pr.GetValue(stateDir));
            try
            {
                await host.StartAsync(stop.Token);
                var stopped = Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                if (await Task.WhenAny(stopped, host.SelfFenced) == host.SelfFenced)
                {
                    Console.Error.WriteLine($"hwfence node run: self-fenced ({host.SelfFenced.Result}); every application was stopped. With a hardware watchdog armed the machine would now reset; restart the daemon to rejoin (it unfences itself).");
                    Console.Out.Flush();
                    Console.Error.Flush();
                    // End now, as the watchdog reset would: no orderly shutdown that keeps a silent,
                    // fenced process around while peers already count it dead.
                    Environment.Exit(4);
                    return 4;
                }

                return 0;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return 0;
            }
            catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"hwfence node run: {e.Message}");
                return 1;
            }
        });
        node.Subcommands.Add(run);
        return node;
    }
}
