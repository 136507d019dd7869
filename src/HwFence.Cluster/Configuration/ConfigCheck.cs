using System.Text.Json;

namespace HwFence.Cluster.Configuration;

/// <summary>
/// What <c>hwfence config check FILE</c> prints: compiler-style error lines (file:line:col: field: why)
/// or a one-line summary; with --json, one JSON document for scripts. Exit code 0 = valid, 1 = invalid.
/// </summary>
public static class ConfigCheck
{
    public const int ExitValid = 0;
    public const int ExitInvalid = 1;

    public static int Run(string path, bool json, TextWriter output, TextWriter error)
    {
        bool ok = ClusterConfigLoader.TryLoad(path, out var config, out var errors);
        if (json)
        {
            var document = new
            {
                file = path,
                valid = ok,
                errors = errors.Select(e => new { file = e.File, line = e.Line, column = e.Column, field = e.Field, message = e.Message }),
                summary = config is null ? null : new
                {
                    cluster = config.Name,
                    id = config.Id,
                    nodes = config.Nodes.Select(n => n.Name),
                    groups = config.Groups.Select(g => g.Name),
                    applications = config.Applications.Select(a => a.Tag),
                    failover_budget_seconds = config.Timings.FailoverBudget.TotalSeconds,
                },
            };
            output.WriteLine(JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            return ok ? ExitValid : ExitInvalid;
        }

        if (!ok)
        {
            foreach (var e in errors)
            {
                error.WriteLine(e.ToString());
            }

            error.WriteLine($"{path}: {errors.Count} error(s)");
            return ExitInvalid;
        }

        output.WriteLine($"{path}: OK — cluster '{config!.Name}' (id {config.Id}): {config.Nodes.Count} node(s), {config.Groups.Count} group(s), " +
                         $"{config.Applications.Count} application(s); failover budget {config.Timings.FailoverBudget.TotalSeconds:0.#} s (deadtime + fence_timeout + start_timeout)");
        return ExitValid;
    }
}
