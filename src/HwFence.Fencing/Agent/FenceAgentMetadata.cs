using System.Text;
using System.Xml;

namespace HwFence.Fencing.Agent;

/// <summary>
/// The XML <c>-o metadata</c> prints, in the shape fence-agents print it (validated by Pacemaker
/// against fence-agents lib/metadata.rng): <c>resource-agent</c> with <c>longdesc</c>,
/// <c>vendor-url</c>, one <c>parameter</c> per option (getopt, content, shortdesc) and the
/// <c>actions</c>. <c>on</c> carries <c>on_target="1" automatic="1"</c>: Pacemaker then runs it on
/// the target node itself at start-up (unfencing), which is the only way a node's own I_T nexus
/// gets its registration. There is no <c>reboot</c>: "fabric fencing must never have a reboot
/// operation" (FenceAgentAPI.md); Pacemaker then fences with <c>off</c>.
/// </summary>
public static class FenceAgentMetadata
{
    /// <summary>The agent name Pacemaker sees (install a wrapper /usr/sbin/fence_hwfence that execs <c>hwfence fence-agent</c>).</summary>
    public const string AgentName = "fence_hwfence";

    private const string ShortDescription = "Fence agent for SCSI-3 persistent reservations (HwFence)";

    private const string LongDescription =
        "fence_hwfence is an I/O fencing agent that uses SCSI-3 persistent reservations to control access to shared " +
        "storage devices, the fence_scsi method, through HwFence's own SCSI stack (SG_IO or its built-in iSCSI initiator). " +
        "Each node registers a key derived from the cluster name and its corosync node id (the same key fence_scsi " +
        "derives); one node holds a \"write exclusive, registrants only\" reservation, so only registered nodes may " +
        "write. Fencing a node removes its key with PREEMPT AND ABORT (PREEMPT where the target lacks it) and verifies " +
        "with READ KEYS that it is gone; with several devices a majority must be won. A manual reboot is required " +
        "before a fenced node may use the storage again.";

    /// <summary>The actions advertised, in fence_scsi's order.</summary>
    private static readonly FenceAgentAction[] Actions =
    [
        FenceAgentAction.On, FenceAgentAction.Off, FenceAgentAction.Status, FenceAgentAction.List,
        FenceAgentAction.ListStatus, FenceAgentAction.Monitor, FenceAgentAction.Metadata, FenceAgentAction.ValidateAll,
    ];

    /// <summary>Builds the metadata document.</summary>
    public static string Build()
    {
        var sb = new StringBuilder();
        var settings = new XmlWriterSettings
        {
            Indent = true,
            IndentChars = "\t",
            Encoding = new UTF8Encoding(false),
            OmitXmlDeclaration = true,
        };
        sb.Append("<?xml version=\"1.0\" ?>\n");
        using (var w = XmlWriter.Create(sb, settings))
        {
            w.WriteStartElement("resource-agent");
            w.WriteAttributeString("name", AgentName);
            w.WriteAttributeString("shortdesc", ShortDescription);
            w.WriteElementString("longdesc", LongDescription);
            w.WriteElementString("vendor-url", "");
            w.WriteStartElement("parameters");
            foreach (var p in FenceAgentParameters.All)
            {
                w.WriteStartElement("parameter");
                w.WriteAttributeString("name", p.Name);
                w.WriteAttributeString("unique", "0");
                w.WriteAttributeString("required", p.Required ? "1" : "0");
                if (p.AliasOf is not null)
                {
                    w.WriteAttributeString("deprecated", "1");
                }
                else if (p.Name == FenceAgentParameters.Plug)
                {
                    w.WriteAttributeString("obsoletes", FenceAgentParameters.Port);
                }

                w.WriteStartElement("getopt");
                w.WriteAttributeString("mixed", p.GetoptText);
                w.WriteEndElement();
                w.WriteStartElement("content");
                w.WriteAttributeString("type", p.IsBoolean ? "boolean" : "string");
                if (p.Default is not null)
                {
                    w.WriteAttributeString("default", p.Default);
                }

                w.WriteEndElement();
                w.WriteStartElement("shortdesc");
                w.WriteAttributeString("lang", "en");
                w.WriteString(p.Description);
                w.WriteEndElement();
                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteStartElement("actions");
            foreach (var a in Actions)
            {
                w.WriteStartElement("action");
                w.WriteAttributeString("name", a.ToName());
                if (a == FenceAgentAction.On)
                {
                    w.WriteAttributeString("on_target", "1");
                    w.WriteAttributeString("automatic", "1");
                }

                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteEndElement();
        }

        sb.Append('\n');
        return sb.ToString();
    }
}
