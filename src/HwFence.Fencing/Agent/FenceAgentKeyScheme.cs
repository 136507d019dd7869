using HwFence.Fencing.Scsi;

namespace HwFence.Fencing.Agent;

/// <summary>
/// How the agent turns a target node (plug/nodename) into its registration key when no <c>key</c> is given
/// (parameter <c>key_value</c>). Each is <c>C &lt;&lt; 16 | N</c> with C the 16-bit cluster tag
/// (<see cref="RegistrationKey.ClusterTag"/>: the first 4 hex digits of MD5(cluster name)); they differ in N.
/// </summary>
/// <remarks>
/// fence_scsi (fence-agents 4.12 agents/scsi/fence_scsi.py, <c>generate_key</c>) has two methods, and a disk
/// fenced by both agents only works when they derive the same key:
/// <list type="bullet">
/// <item><c>id</c> (fence_scsi's default): <c>"%.4s%.4d" % (md5(cluster).hexdigest(), N)</c> where N is the
///   <em>position</em> of the node in <c>corosync-cmapctl nodelist</c> (<c>nodelist.node.N.name</c>, counted from 0 in
///   corosync.conf order) — not its corosync nodeid. Measured with corosync 3.1.7: node1 (nodeid 1) of cluster
///   "hacluster" gets fb0c0000, node2 fb0c0001.</item>
/// <item><c>hash</c>: <c>"%.4s%.4s" % (md5(cluster).hexdigest(), md5(plug).hexdigest())</c>.</item>
/// </list>
/// HwFence's own scheme, <c>nodeid</c> (<see cref="RegistrationKey.Derive"/>), puts the corosync nodeid in N, so
/// with the usual nodeids 1..n every key is one above fence_scsi's <c>id</c> key — the key fence_scsi gave the
/// <em>next</em> node. Pick <c>id</c> or <c>hash</c> (as configured for fence_scsi) when replacing fence_scsi, or
/// when both agents fence the same disks.
/// </remarks>
public enum FenceAgentKeyScheme
{
    /// <summary><c>nodeid</c>: N = the corosync nodeid in 4 decimal digits (HwFence's <see cref="RegistrationKey.Derive"/>). The default.</summary>
    NodeId,

    /// <summary><c>id</c>: N = the node's 0-based position in corosync.conf's nodelist in 4 decimal digits (fence_scsi's default).</summary>
    Position,

    /// <summary><c>hash</c>: N = the first 4 hex digits of MD5(node name as given in plug/nodename) (fence_scsi key_value=hash).</summary>
    NameHash,
}

/// <summary>The <c>key_value</c> spellings of <see cref="FenceAgentKeyScheme"/> and the fence_scsi derivations.</summary>
public static class FenceAgentKeySchemes
{
    /// <summary>Parses <c>key_value</c>: nodeid, id or hash (case-insensitive).</summary>
    public static bool TryParse(string? text, out FenceAgentKeyScheme scheme)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "nodeid": scheme = FenceAgentKeyScheme.NodeId; return true;
            case "id": scheme = FenceAgentKeyScheme.Position; return true;
            case "hash": scheme = FenceAgentKeyScheme.NameHash; return true;
            default: scheme = FenceAgentKeyScheme.NodeId; return false;
        }
    }

    /// <summary>The <c>key_value</c> name of <paramref name="scheme"/>.</summary>
    public static string ToName(this FenceAgentKeyScheme scheme) => scheme switch
    {
        FenceAgentKeyScheme.NodeId => "nodeid",
        FenceAgentKeyScheme.Position => "id",
        FenceAgentKeyScheme.NameHash => "hash",
        _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
    };

    /// <summary>fence_scsi's <c>id</c> key for the node at nodelist <paramref name="position"/> (0-based). False with the reason when it does not fit or would be zero.</summary>
    public static bool TryDerivePosition(string clusterName, int position, out RegistrationKey key, out string error)
    {
        if (position != 0)
        {
            // "%.4d" of the position is the same 4-digit field RegistrationKey.Derive fills with a node id.
            return RegistrationKey.TryDerive(clusterName, position, out key, out error);
        }

        return TryCombine(clusterName, 0, out key, out error);
    }

    /// <summary>fence_scsi's <c>hash</c> key for node <paramref name="nodeName"/>.</summary>
    public static bool TryDeriveNameHash(string clusterName, string nodeName, out RegistrationKey key, out string error) =>
        TryCombine(clusterName, RegistrationKey.ClusterTag(nodeName), out key, out error);

    private static bool TryCombine(string clusterName, ushort low, out RegistrationKey key, out string error)
    {
        key = default;
        if (string.IsNullOrWhiteSpace(clusterName))
        {
            error = "cluster name: empty — set cluster_name (or corosync.conf totem.cluster_name)";
            return false;
        }

        key = new RegistrationKey(((ulong)RegistrationKey.ClusterTag(clusterName) << 16) | low);
        if (!key.IsValid)
        {
            error = $"cluster \"{clusterName}\": the derived key is 0, which unregisters (SPC-4 §5.13.7; fence_scsi: \"key cannot be 0\") — pass key explicitly";
            return false;
        }

        error = "";
        return true;
    }
}
