using System.Xml.Linq;
using HwFence.Fencing.Agent;

namespace HwFence.Fencing.Tests.Agent;

public class FenceAgentMetadataTests
{
    [Fact]
    public void Metadata_is_valid_xml_with_fence_scsi_parameters_and_unfencing_on_target()
    {
        var doc = XDocument.Parse(FenceAgentMetadata.Build());
        var root = doc.Root!;
        Assert.Equal("resource-agent", root.Name.LocalName);
        Assert.Equal("fence_hwfence", (string?)root.Attribute("name"));
        Assert.NotNull(root.Element("longdesc"));
        Assert.NotNull(root.Element("vendor-url"));

        var parameters = root.Element("parameters")!.Elements("parameter").ToDictionary(p => (string)p.Attribute("name")!);
        foreach (var name in new[] { "action", "devices", "key", "plug", "port", "nodename", "aptpl", "logfile", "verbose", "delay" })
        {
            Assert.True(parameters.ContainsKey(name), $"parameter {name} missing");
            Assert.NotNull(parameters[name].Element("getopt")!.Attribute("mixed"));
            Assert.NotNull(parameters[name].Element("content")!.Attribute("type"));
            Assert.Equal("en", (string?)parameters[name].Element("shortdesc")!.Attribute("lang"));
        }

        Assert.Equal("1", (string?)parameters["action"].Attribute("required"));
        Assert.Equal("off", (string?)parameters["action"].Element("content")!.Attribute("default"));
        Assert.Equal("-o, --action=[action]", (string?)parameters["action"].Element("getopt")!.Attribute("mixed"));
        Assert.Equal("-n, --plug=[plug]", (string?)parameters["plug"].Element("getopt")!.Attribute("mixed"));
        Assert.Equal("port", (string?)parameters["plug"].Attribute("obsoletes"));
        Assert.Equal("1", (string?)parameters["port"].Attribute("deprecated"));
        Assert.Equal("boolean", (string?)parameters["aptpl"].Element("content")!.Attribute("type"));

        var actions = root.Element("actions")!.Elements("action").ToDictionary(a => (string)a.Attribute("name")!);
        Assert.Equal(["on", "off", "status", "list", "list-status", "monitor", "metadata", "validate-all"], actions.Keys);
        Assert.Equal("1", (string?)actions["on"].Attribute("on_target"));
        Assert.Equal("1", (string?)actions["on"].Attribute("automatic"));
        Assert.Null(actions["off"].Attribute("on_target"));
    }

    [Fact]
    public void Metadata_starts_with_the_xml_declaration_fence_agents_print()
    {
        Assert.StartsWith("<?xml version=\"1.0\" ?>\n<resource-agent", FenceAgentMetadata.Build());
    }
}
