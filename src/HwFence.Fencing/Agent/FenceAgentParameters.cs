namespace HwFence.Fencing.Agent;

/// <summary>
/// Every parameter <c>hwfence fence-agent</c> understands. Names, flags and meanings follow
/// fence_scsi (ClusterLabs fence-agents agents/scsi/fence_scsi.py) wherever fence_scsi has the
/// concept, so a Pacemaker stonith resource configured for fence_scsi works unchanged; the
/// HwFence-only ones come after.
/// </summary>
public static class FenceAgentParameters
{
    public const string Action = "action";
    public const string Aptpl = "aptpl";
    public const string Devices = "devices";
    public const string Key = "key";
    public const string Plug = "plug";
    public const string Port = "port";
    public const string NodeName = "nodename";
    public const string LogFile = "logfile";
    public const string Verbose = "verbose";
    public const string DebugFile = "debug_file";
    public const string Delay = "delay";
    public const string Version = "version";
    public const string Help = "help";
    public const string ClusterName = "cluster_name";
    public const string CorosyncConf = "corosync_conf";
    public const string LocalNode = "local_node";
    public const string StorePath = "store_path";
    public const string InitiatorName = "initiator_name";
    public const string IoTimeout = "io_timeout";
    public const string KeyValue = "key_value";

    /// <summary>Where "on" stores the local key for a later "off" (fence_scsi: /var/run/cluster/fence_scsi.key).</summary>
    public const string DefaultStorePath = "/var/run/cluster/hwfence";

    /// <summary>corosync's configuration, read for the cluster name and the node-name → node-id map.</summary>
    public const string DefaultCorosyncConf = "/etc/corosync/corosync.conf";

    /// <summary>Seconds per SCSI command (fence_scsi gives sg_persist no timeout of its own; sg3_utils' default is 60 s, too long for fencing).</summary>
    public const int DefaultIoTimeoutSeconds = 10;

    /// <summary>The table, in metadata order.</summary>
    public static IReadOnlyList<FenceAgentParameter> All { get; } =
    [
        new(Action, 'o', "action", false, "off", "Fencing action", Required: true),
        new(Aptpl, 'a', "aptpl", true, null, "Use the APTPL flag for registrations (keys survive a target power loss). Only used by the 'on' action."),
        new(Devices, 'd', "devices", false, null,
            "Comma- or space-separated list of fencing disks: /dev/sdX, sg:/dev/sgN, iscsi://host[:port]/<target-iqn>/<lun>. Each must support SCSI-3 persistent reservations. A fence succeeds only when it is verified on a majority of them."),
        new(Key, 'k', "key", false, null,
            "Key to use for the current operation (hex, e.g. 0x5f3a0002). For 'on' the key this node registers; for 'off' the key removed from the disks. Default: derived from the cluster name and the node id of plug/nodename."),
        new(Plug, 'n', "plug", false, null,
            "Name or corosync node id of the node to fence. Used to derive the key; ignored when key is given."),
        new(Port, null, "port", false, null, "Deprecated alias of plug.", AliasOf: Plug),
        new(NodeName, null, "nodename", false, null, "Name of the node to fence; takes precedence over plug, as in fence_scsi."),
        new(KeyValue, null, "key-value", false, "id",
            "Method used to derive keys from plug/nodename when key is not given: \"id\" (default, as fence_scsi) the node's position in corosync.conf's nodelist, counted from 0; \"nodeid\" the corosync nodeid (the keys HwFence's own node daemon registers); \"hash\" part of the MD5 of the node name (fence_scsi key_value=hash). Use the method fence_scsi used to share its disks or replace it without re-keying."),
        new(LogFile, 'f', "logfile", false, null, "Append log output to this file."),
        new(Verbose, 'v', "verbose", true, null, "Verbose mode"),
        new(DebugFile, 'D', "debug-file", false, null, "Write debug information to given file"),
        new(Delay, 'H', "delay", false, "0", "Wait X seconds before fencing is started"),
        new(Version, 'V', "version", true, null, "Display version information and exit"),
        new(Help, 'h', "help", true, null, "Display help and exit"),
        new(ClusterName, null, "cluster-name", false, null,
            "Cluster name the keys are derived from. Default: totem.cluster_name in corosync_conf."),
        new(CorosyncConf, null, "corosync-conf", false, DefaultCorosyncConf,
            "corosync.conf read for the cluster name and the node name to node id map."),
        new(LocalNode, null, "local-node", false, null,
            "Name or node id of the node running 'off' (its key performs the preempt). Default: the key stored by this node's last 'on'."),
        new(StorePath, null, "store-path", false, DefaultStorePath,
            "Prefix of the file where 'on' stores this node's key (<store_path>.key)."),
        new(InitiatorName, null, "initiator-name", false, null,
            "iSCSI initiator name for iscsi:// devices; must be stable per node. Default: iqn.2026-01.org.hwfence:<hostname>."),
        new(IoTimeout, null, "io-timeout", false, DefaultIoTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "Seconds to wait for each SCSI command; a timeout is a failure."),
    ];

    /// <summary>Finds a parameter by stdin name ('-' and '_' equivalent, case-insensitive), resolving aliases.</summary>
    public static FenceAgentParameter? FindByName(string name)
    {
        var normalized = name.Trim().Replace('-', '_').ToLowerInvariant();
        if (normalized == "option")
        {
            normalized = Action; // API: "option — DEPRECATED; use action"
        }

        foreach (var p in All)
        {
            if (p.Name == normalized || p.LongFlag.Replace('-', '_') == normalized)
            {
                return p.AliasOf is { } target ? FindByName(target) : p;
            }
        }

        return null;
    }

    /// <summary>Finds a parameter by its one-letter flag.</summary>
    public static FenceAgentParameter? FindByShortFlag(char flag)
    {
        foreach (var p in All)
        {
            if (p.ShortFlag == flag)
            {
                return p.AliasOf is { } target ? FindByName(target) : p;
            }
        }

        return null;
    }
}
