using HwFence.Fencing.Scsi;

namespace HwFence.Fencing.Agent;

/// <summary>
/// Carries out one fence-agents action (ClusterLabs fence-agents doc/FenceAgentAPI.md) and returns
/// the exit code. Pure protocol logic: files, output, time and the devices are injected, so tests run it
/// in memory and <c>hwfence fence-agent</c> wires the real ones.
/// </summary>
/// <remarks>
/// Key resolution, as fence_scsi does it:
/// <list type="bullet">
/// <item>target key = <c>key</c> if given, else derived from the cluster name (<c>cluster_name</c> or corosync.conf
///   totem.cluster_name) and <c>nodename</c>/<c>plug</c> by the <c>key_value</c> method (<see cref="FenceAgentKeyScheme"/>):
///   <c>nodeid</c> (default, <see cref="RegistrationKey.Derive"/> of the node id: a decimal id, or a name or ring0_addr
///   looked up in corosync.conf's nodelist), or fence_scsi's <c>id</c> (nodelist position) and <c>hash</c>;</item>
/// <item><c>on</c> runs on the target itself (metadata on_target="1"), registers the target key and stores it in
///   <c>&lt;store_path&gt;.key</c> (fence_scsi keeps /var/run/cluster/fence_scsi.key the same way);</item>
/// <item><c>off</c> preempts with this node's own key: the stored one, else the key of <c>local_node</c>. A node
///   never fences its own key.</item>
/// </list>
/// </remarks>
public sealed class FenceAgentRunner(
    TextWriter output,
    TextWriter log,
    TimeProvider timeProvider,
    Func<string, string?> readFile,
    Action<string, string> writeFile,
    FenceDeviceOpener openDevices)
{
    /// <summary>Runs the action the options name.</summary>
    public async Task<int> RunAsync(FenceAgentOptions options, CancellationToken cancellationToken = default)
    {
        if (options.Help)
        {
            await output.WriteAsync(Usage());
            return FenceAgentExitCode.Success;
        }

        if (options.Version)
        {
            await output.WriteLineAsync(typeof(FenceAgentRunner).Assembly.GetName().Version?.ToString() ?? "unknown");
            return FenceAgentExitCode.Success;
        }

        if (options.Action == FenceAgentAction.Metadata)
        {
            await output.WriteAsync(FenceAgentMetadata.Build());
            return FenceAgentExitCode.Success;
        }

        foreach (var name in options.Ignored)
        {
            Debug(options, $"ignoring parameter \"{name}\" (not a fence_hwfence parameter)");
        }

        try
        {
            return await RunDeviceActionAsync(options, cancellationToken);
        }
        catch (FenceAgentException ex)
        {
            await Fail(ex.Message);
            return FenceAgentExitCode.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Fail($"action {options.Action.ToName()}: cancelled (timed out) — a timeout is a failure, not a success");
            return FenceAgentExitCode.Failure;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or TimeoutException)
        {
            await Fail($"action {options.Action.ToName()}: {ex.Message}");
            return FenceAgentExitCode.Failure;
        }
    }

    private async Task<int> RunDeviceActionAsync(FenceAgentOptions options, CancellationToken ct)
    {
        var corosync = LoadCorosync(options);
        var clusterName = options.ClusterName ?? corosync.ClusterName;
        if (options.Action == FenceAgentAction.ValidateAll)
        {
            _ = ResolveTargetKey(options, corosync, clusterName);
            RequireDevices(options);
            await output.WriteLineAsync("Success: parameters are valid");
            return FenceAgentExitCode.Success;
        }

        RequireDevices(options);
        switch (options.Action)
        {
            case FenceAgentAction.Monitor:
            {
                await using var device = await openDevices(options, ResolveLocalKeyOrPlaceholder(options, corosync, clusterName), ct);
                await device.VerifyAsync(ct);
                Debug(options, $"monitor: {device.Name} answers");
                return FenceAgentExitCode.Success;
            }

            case FenceAgentAction.Status:
            {
                var target = ResolveTargetKey(options, corosync, clusterName);
                await using var device = await openDevices(options, ResolveLocalKeyOrPlaceholder(options, corosync, clusterName), ct);
                var status = await device.KeyStatusAsync(target, ct);
                switch (status)
                {
                    case FenceStatus.On:
                        await output.WriteLineAsync("Status: ON");
                        return FenceAgentExitCode.Success;
                    case FenceStatus.Off:
                        await output.WriteLineAsync("Status: OFF");
                        return FenceAgentExitCode.Off;
                    default:
                        await Fail($"status of key {target}: no fencing disk of {device.Name} answered READ KEYS");
                        return FenceAgentExitCode.Failure;
                }
            }

            case FenceAgentAction.List:
            case FenceAgentAction.ListStatus:
            {
                await using var device = await openDevices(options, ResolveLocalKeyOrPlaceholder(options, corosync, clusterName), ct);
                foreach (var key in await device.ReadKeysAsync(ct))
                {
                    var plug = PlugOf(key, options.KeyScheme, corosync, clusterName);
                    await output.WriteLineAsync(options.Action == FenceAgentAction.List ? $"{plug},{key}" : $"{plug},{key},on");
                }

                return FenceAgentExitCode.Success;
            }

            case FenceAgentAction.On:
            {
                var own = ResolveTargetKey(options, corosync, clusterName);
                await using var device = await openDevices(options, own, ct);
                var result = await device.RegisterOwnKeyAsync(ct);
                await Report(options, result);
                if (!result.Succeeded)
                {
                    return FenceAgentExitCode.Failure;
                }

                writeFile(options.StorePath + ".key", own + "\n");
                await output.WriteLineAsync("Success: Powered ON");
                return FenceAgentExitCode.Success;
            }

            case FenceAgentAction.Off:
            case FenceAgentAction.Reboot:
            {
                var victim = ResolveTargetKey(options, corosync, clusterName);
                var own = ResolveLocalKey(options, corosync, clusterName)
                    ?? throw new FenceAgentException(
                        $"off: this node's own key is unknown — run 'on' on this node first (it stores the key in {options.StorePath}.key) or pass local_node");
                if (own == victim)
                {
                    throw new FenceAgentException($"off: key {victim} is this node's own key — a node cannot fence itself");
                }

                if (options.Action == FenceAgentAction.Reboot)
                {
                    Debug(options, "reboot: fabric fencing cannot turn a node back on; performing off (the node unfences itself when it restarts)");
                }

                if (options.Delay > TimeSpan.Zero)
                {
                    Debug(options, $"delay: waiting {options.Delay.TotalSeconds:0.###} s before fencing");
                    await Task.Delay(options.Delay, timeProvider, ct);
                }

                await using var device = await openDevices(options, own, ct);
                var result = await device.FenceKeyAsync(victim, ct);
                await Report(options, result);
                if (!result.Succeeded)
                {
                    return FenceAgentExitCode.Failure;
                }

                await output.WriteLineAsync("Success: Powered OFF");
                return FenceAgentExitCode.Success;
            }

            default:
                throw new FenceAgentException($"action {options.Action.ToName()}: not handled");
        }
    }

    private CorosyncConfig LoadCorosync(FenceAgentOptions options)
    {
        var text = readFile(options.CorosyncConf);
        if (text is null)
        {
            return CorosyncConfig.Empty;
        }

        return CorosyncConfig.TryParse(text, out var config, out var error)
            ? config
            : throw new FenceAgentException($"{options.CorosyncConf}: {error}");
    }

    private static RegistrationKey ResolveTargetKey(FenceAgentOptions options, CorosyncConfig corosync, string? clusterName)
    {
        if (options.Key is { } key)
        {
            return key;
        }

        if (options.Target is null)
        {
            throw new FenceAgentException("nodename or key is required (plug/port, nodename or key)");
        }

        return DeriveKey(options.Target, "plug", options.KeyScheme, corosync, clusterName);
    }

    private RegistrationKey? ResolveLocalKey(FenceAgentOptions options, CorosyncConfig corosync, string? clusterName)
    {
        if (options.LocalNode is { } local)
        {
            return DeriveKey(local, "local_node", options.KeyScheme, corosync, clusterName);
        }

        var stored = readFile(options.StorePath + ".key");
        if (stored is null)
        {
            return null;
        }

        return RegistrationKey.TryParse(stored, out var key, out var error)
            ? key
            : throw new FenceAgentException($"{options.StorePath}.key: {error} — run 'on' again to rewrite it");
    }

    /// <summary>Read-only actions register nothing; they still need a key to open the device with.</summary>
    private RegistrationKey ResolveLocalKeyOrPlaceholder(FenceAgentOptions options, CorosyncConfig corosync, string? clusterName) =>
        ResolveLocalKey(options, corosync, clusterName) ?? new RegistrationKey(ulong.MaxValue);

    private static RegistrationKey DeriveKey(string node, string parameter, FenceAgentKeyScheme scheme, CorosyncConfig corosync, string? clusterName)
    {
        if (scheme != FenceAgentKeyScheme.NodeId)
        {
            return DeriveFenceScsiKey(node, parameter, scheme, corosync, clusterName);
        }

        if (!corosync.TryResolveNodeId(node, out var nodeId))
        {
            throw new FenceAgentException(
                $"{parameter} \"{node}\": not a node id and not a node of corosync.conf's nodelist — pass the corosync node id, or key");
        }

        if (clusterName is null)
        {
            throw new FenceAgentException("cluster name unknown: pass cluster_name or make totem.cluster_name readable in corosync_conf");
        }

        return RegistrationKey.TryDerive(clusterName, nodeId, out var key, out var error)
            ? key
            : throw new FenceAgentException($"{parameter} \"{node}\": {error}");
    }

    /// <summary>fence_scsi's key_value=id / hash keys (<see cref="FenceAgentKeyScheme"/>).</summary>
    private static RegistrationKey DeriveFenceScsiKey(string node, string parameter, FenceAgentKeyScheme scheme, CorosyncConfig corosync, string? clusterName)
    {
        CorosyncNode? entry = null;
        if (scheme == FenceAgentKeyScheme.Position && (entry = corosync.Find(node)) is null)
        {
            throw new FenceAgentException(
                $"{parameter} \"{node}\": not a node of corosync.conf's nodelist — key_value=id derives the key from the node's position there; pass key, or fix corosync_conf");
        }

        if (clusterName is null)
        {
            throw new FenceAgentException("cluster name unknown: pass cluster_name or make totem.cluster_name readable in corosync_conf");
        }

        bool derived = entry is not null
            ? FenceAgentKeySchemes.TryDerivePosition(clusterName, entry.Position, out var key, out var error)
            : FenceAgentKeySchemes.TryDeriveNameHash(clusterName, node, out key, out error);
        return derived ? key : throw new FenceAgentException($"{parameter} \"{node}\" (key_value={scheme.ToName()}): {error}");
    }

    /// <summary>The plug a registered key belongs to under <paramref name="scheme"/> (for list output), or the key itself.</summary>
    private static string PlugOf(RegistrationKey key, FenceAgentKeyScheme scheme, CorosyncConfig corosync, string? clusterName)
    {
        if (clusterName is null)
        {
            return key.ToString();
        }

        if (scheme == FenceAgentKeyScheme.NodeId)
        {
            return key.BelongsTo(clusterName) && key.TryGetNodeId(out var id) ? corosync.NameOf(id) : key.ToString();
        }

        foreach (var node in corosync.Nodes)
        {
            if ((node.Name ?? node.Ring0Address) is not { } name)
            {
                continue;
            }

            bool derived = scheme == FenceAgentKeyScheme.Position
                ? FenceAgentKeySchemes.TryDerivePosition(clusterName, node.Position, out var candidate, out _)
                : FenceAgentKeySchemes.TryDeriveNameHash(clusterName, name, out candidate, out _);
            if (derived && candidate == key)
            {
                return name;
            }
        }

        return key.ToString();
    }

    private static void RequireDevices(FenceAgentOptions options)
    {
        if (options.Devices.Count == 0)
        {
            throw new FenceAgentException("devices: none given — pass devices=/dev/sdb,iscsi://host/iqn…/1 (fence_scsi's LVM discovery is not supported)");
        }
    }

    private async Task Report(FenceAgentOptions options, FenceResult result)
    {
        if (!result.Succeeded)
        {
            await Fail(result.Message);
        }
        else
        {
            Debug(options, result.Message);
        }

        foreach (var won in result.Won)
        {
            Debug(options, $"won: {won}");
        }

        foreach (var lost in result.Lost)
        {
            await log.WriteLineAsync($"WARNING: lost: {lost}");
        }
    }

    private void Debug(FenceAgentOptions options, string message)
    {
        if (options.Verbose)
        {
            log.WriteLine($"DEBUG: {message}");
        }
    }

    private Task Fail(string message) => log.WriteLineAsync($"ERROR: Failed: {message}");

    private static string Usage()
    {
        var lines = new System.Text.StringBuilder();
        lines.AppendLine("Usage: hwfence fence-agent [options]   (or name=value lines on stdin)");
        lines.AppendLine("Options:");
        foreach (var p in FenceAgentParameters.All)
        {
            lines.Append("  ").Append(p.GetoptText.PadRight(36)).AppendLine(p.Description);
        }

        return lines.ToString();
    }
}
