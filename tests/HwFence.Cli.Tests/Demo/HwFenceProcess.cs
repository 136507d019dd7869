using System.Diagnostics;

namespace HwFence.Cli.Tests.Demo;

/// <summary>Runs the real <c>hwfence</c> executable (copied next to the tests) as a child process.</summary>
internal static class HwFenceProcess
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "hwfence.dll");

    private static Process StartProcess(string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi)!;
    }

    /// <summary>Starts <c>hwfence</c> and returns at once: its output can be watched while it runs, and it is stopped with SIGTERM.</summary>
    public static Running Start(params string[] args) => new(StartProcess(args));

    /// <summary>A running <c>hwfence</c> whose stdout is collected line by line as it comes.</summary>
    public sealed class Running : IDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _out = new();
        private readonly Task<string> _error;

        internal Running(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_out)
                    {
                        _out.AppendLine(e.Data);
                    }
                }
            };
            _process.BeginOutputReadLine();
            _error = _process.StandardError.ReadToEndAsync();
        }

        /// <summary>Stdout so far.</summary>
        public string Output
        {
            get
            {
                lock (_out)
                {
                    return _out.ToString();
                }
            }
        }

        /// <summary>Sends SIGTERM (the command's clean stop).</summary>
        public void Terminate() => HwFence.Hal.Processes.ProcessSignals.Send(_process.Id, HwFence.Hal.Processes.PosixSignal.Terminate);

        /// <summary>Waits for the exit; kills it and throws after <paramref name="limit"/>.</summary>
        public async Task<Result> WaitAsync(TimeSpan limit)
        {
            using var cts = new CancellationTokenSource(limit);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                throw new TimeoutException($"hwfence did not exit within {limit.TotalSeconds} s; output so far:\n{Output}");
            }

            _process.WaitForExit(); // drains the asynchronous stdout reader
            return new Result(_process.ExitCode, Output, await _error);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }

    public static Result Run(TimeSpan limit, params string[] args)
    {
        using var p = StartProcess(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            // SIGTERM first so the demo cleans up its node processes, then make sure.
            HwFence.Hal.Processes.ProcessSignals.Send(p.Id, HwFence.Hal.Processes.PosixSignal.Terminate);
            if (!p.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                p.Kill(entireProcessTree: true);
            }

            throw new TimeoutException($"hwfence {string.Join(' ', args)} did not finish within {limit.TotalSeconds} s; output so far:\n{stdout.Result}\n{stderr.Result}");
        }

        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
