using System.Globalization;

namespace HwFence.Fencing.Agent;

/// <summary>
/// What the agent needs from corosync.conf (corosync.conf(5)): <c>totem.cluster_name</c> and the
/// <c>nodelist.node</c> entries (name, ring0_addr, nodeid), so that a Pacemaker target name maps to the
/// node id its key is derived from — what fence_scsi gets from <c>corosync-cmapctl</c>.
/// </summary>
/// <param name="ClusterName">totem.cluster_name, or null.</param>
/// <param name="Nodes">nodelist entries that have a nodeid.</param>
public sealed record CorosyncConfig(string? ClusterName, IReadOnlyList<CorosyncNode> Nodes)
{
    /// <summary>Resolves a node name, ring0 address or decimal id to a node id.</summary>
    public bool TryResolveNodeId(string nameOrId, out int nodeId)
    {
        if (Find(nameOrId) is { } node)
        {
            nodeId = node.NodeId;
            return true;
        }

        return int.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out nodeId);
    }

    /// <summary>The nodelist entry whose name or ring0 address is <paramref name="nameOrId"/>, else whose nodeid it is (decimal); null when none.</summary>
    public CorosyncNode? Find(string nameOrId)
    {
        foreach (var n in Nodes)
        {
            if (string.Equals(n.Name, nameOrId, StringComparison.OrdinalIgnoreCase)
                || string.Equals(n.Ring0Address, nameOrId, StringComparison.OrdinalIgnoreCase))
            {
                return n;
            }
        }

        return int.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? Nodes.FirstOrDefault(n => n.NodeId == id)
            : null;
    }

    /// <summary>The node's name for a node id (for list output), or the id as text.</summary>
    public string NameOf(int nodeId)
    {
        foreach (var n in Nodes)
        {
            if (n.NodeId == nodeId)
            {
                return n.Name ?? n.Ring0Address ?? nodeId.ToString(CultureInfo.InvariantCulture);
            }
        }

        return nodeId.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>An empty configuration (no corosync.conf on this machine).</summary>
    public static CorosyncConfig Empty { get; } = new(null, []);

    /// <summary>Parses corosync.conf text. False with the line number when braces do not balance or a nodeid is not a number.</summary>
    public static bool TryParse(string text, out CorosyncConfig config, out string error)
    {
        config = Empty;
        string? clusterName = null;
        var nodes = new List<CorosyncNode>();
        var sections = new Stack<string>();
        string? name = null, ring0 = null;
        int? nodeId = null;
        int position = 0;
        int lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            int hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line[..hash].Trim();
            }

            if (line.Length == 0)
            {
                continue;
            }

            if (line.EndsWith('{'))
            {
                var section = line[..^1].Trim();
                sections.Push(section);
                if (section == "node" && sections.Count == 2 && sections.Contains("nodelist"))
                {
                    name = ring0 = null;
                    nodeId = null;
                }

                continue;
            }

            if (line == "}")
            {
                if (sections.Count == 0)
                {
                    error = $"corosync.conf line {lineNumber}: '}}' without an open section";
                    return false;
                }

                var closed = sections.Pop();
                if (closed == "node" && sections.Count == 1 && sections.Peek() == "nodelist")
                {
                    // corosync numbers every nodelist.node block in file order (cmap nodelist.node.<position>).
                    if (nodeId is { } id)
                    {
                        nodes.Add(new CorosyncNode(id, name, ring0, position));
                    }

                    position++;
                }

                continue;
            }

            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue; // not a key: value line; corosync itself would reject it, we only read what we need.
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim().Trim('"');
            var current = sections.Count > 0 ? sections.Peek() : "";
            if (current == "totem" && key == "cluster_name")
            {
                clusterName = value;
            }
            else if (current == "node")
            {
                switch (key)
                {
                    case "name": name = value; break;
                    case "ring0_addr": ring0 = value; break;
                    case "nodeid":
                        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                        {
                            error = $"corosync.conf line {lineNumber}: nodeid \"{value}\" is not a number";
                            return false;
                        }

                        nodeId = parsed;
                        break;
                }
            }
        }

        if (sections.Count != 0)
        {
            error = $"corosync.conf: section \"{sections.Peek()}\" is not closed";
            return false;
        }

        config = new CorosyncConfig(clusterName, nodes);
        error = "";
        return true;
    }
}

/// <summary>One corosync.conf nodelist.node entry.</summary>
/// <param name="Position">Its 0-based place among the nodelist's node blocks: the N of cmap's <c>nodelist.node.N</c>, which fence_scsi's key_value=id puts in the key.</param>
public sealed record CorosyncNode(int NodeId, string? Name, string? Ring0Address, int Position = 0);
