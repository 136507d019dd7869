using System.Diagnostics;
using System.Net;
using System.Xml.Linq;
using HwFence.Cli.Tests.Demo;
using HwFence.Emulator;
using HwFence.Emulator.Iscsi;

namespace HwFence.Cli.Tests.FenceAgent;

/// <summary>
/// `hwfence fence-agent` as Pacemaker runs it — a separate process, options on stdin — against our
/// emulator served over iSCSI on loopback: node 1 unfences itself (on), node 2 fences it (off), and
/// status answers with the fence-agents exit codes (0 on, 2 off).
/// </summary>
public sealed class FenceAgentProcessTests : IAsyncLifetime
{
    private EmulatedDisk? _disk;
    private IscsiTargetServer? _server;
    private string _address = "";
    private readonly string _dir = Directory.CreateTempSubdirectory("hwfence-fa-").FullName;

    public Task InitializeAsync()
    {
        _disk = EmulatedDisk.CreateInMemory(16 << 20);
        _server = _disk.ServeIscsi(new IscsiTargetOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) });
        _address = _server.UrlFor(0);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server!.DisposeAsync();
        await _disk!.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static (int Code, string Out, string Err) Agent(string stdin)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(HwFenceProcess.Dll);
        psi.ArgumentList.Add("fence-agent");
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(60)), "fence-agent did not finish");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A corosync.conf of this test's own (never the machine's /etc/corosync): nodes node1 (nodeid 1) and node2 (nodeid 2).</summary>
    private string WriteCorosyncConf(string clusterName)
    {
        string conf = Path.Combine(_dir, $"{clusterName}-corosync.conf");
        File.WriteAllText(conf, $$"""
            totem {
                cluster_name: {{clusterName}}
            }
            nodelist {
                node {
                    name: node1
                    nodeid: 1
                }
                node {
                    name: node2
                    nodeid: 2
                }
            }
            """);
        return conf;
    }

    /// <summary>
    /// As stonithd passes them: node names as plug and local_node, keys derived by the default key_value=id
    /// from this test's own corosync.conf (the corosync package writes a one-node /etc/corosync/corosync.conf).
    /// </summary>
    private string Options(string action, int plug, int self)
    {
        string conf = WriteCorosyncConf("pcmk");
        return $"action={action}\nplug=node{plug}\ndevices={_address}\ncorosync_conf={conf}\nlocal_node=node{self}\n" +
            $"initiator_name=iqn.2026-01.org.hwfence:fa-node{self}\nstore_path={Path.Combine(_dir, $"node{self}")}\n";
    }

    [Fact]
    public void OnStatusOffStatusAsStonithdCallsIt()
    {
        var on1 = Agent(Options("on", 1, 1));
        Assert.True(on1.Code == 0, $"on node 1: {on1.Code} {on1.Out} {on1.Err}");
        var on2 = Agent(Options("on", 2, 2));
        Assert.True(on2.Code == 0, $"on node 2: {on2.Code} {on2.Out} {on2.Err}");

        var status = Agent(Options("status", 1, 2));
        Assert.True(status.Code == 0, $"status of a registered node must be 0 (on): {status.Code} {status.Out} {status.Err}");

        var off = Agent(Options("off", 1, 2));
        Assert.True(off.Code == 0, $"off: {off.Code} {off.Out} {off.Err}");

        status = Agent(Options("status", 1, 2));
        Assert.True(status.Code == 2, $"status of a fenced node must be 2 (off): {status.Code} {status.Out} {status.Err}");
    }

    [Fact]
    public void MetadataIsValidXmlWithUnfencingOnTarget()
    {
        var r = Agent("action=metadata\n");
        Assert.Equal(0, r.Code);
        var doc = XDocument.Parse(r.Out);
        var on = doc.Descendants("action").Single(a => (string?)a.Attribute("name") == "on");
        Assert.Equal("1", (string?)on.Attribute("on_target"));
        Assert.Equal("1", (string?)on.Attribute("automatic"));
        Assert.Contains(doc.Descendants("parameter"), p => (string?)p.Attribute("name") == "devices");
    }

    /// <summary>
    /// fence_scsi derives keys by key_value=id (its default: the node's 0-based position in corosync's nodelist,
    /// not its nodeid) or key_value=hash (MD5 of the node name); with the same key_value the agent must derive the
    /// same keys, or it would fence — or report fenced — the wrong node of a cluster whose disks fence_scsi keyed.
    /// Expected values from fence_scsi's generate_key: md5("hacluster") = fb0c…, md5("node2") = 7888….
    /// </summary>
    [Fact]
    public void KeyValueIdAndHashDeriveTheKeysFenceScsiDerives()
    {
        var conf = WriteCorosyncConf("hacluster");
        string Derived(string action, string node, string keyValue, int self) =>
            $"action={action}\nnodename={node}\nkey_value={keyValue}\ncorosync_conf={conf}\ndevices={_address}\n" +
            $"initiator_name=iqn.2026-01.org.hwfence:kv-node{self}\nstore_path={Path.Combine(_dir, $"kv{self}")}\n";
        string Status(string key) => $"action=status\nkey={key}\ndevices={_address}\ninitiator_name=iqn.2026-01.org.hwfence:kv-probe\n";

        var on1 = Agent(Derived("on", "node1", "id", 1));
        Assert.True(on1.Code == 0, $"on node1 key_value=id: {on1.Code} {on1.Out} {on1.Err}");
        Assert.Equal("0xfb0c0000", File.ReadAllText(Path.Combine(_dir, "kv1.key")).Trim());
        Assert.Equal(0, Agent(Status("fb0c0000")).Code);
        Assert.Equal(2, Agent(Status("fb0c0001")).Code); // what key_value=nodeid would have registered: fence_scsi's key for node2

        var on2 = Agent(Derived("on", "node2", "hash", 2));
        Assert.True(on2.Code == 0, $"on node2 key_value=hash: {on2.Code} {on2.Out} {on2.Err}");
        Assert.Equal(0, Agent(Status("fb0c7888")).Code);

        // node2 fences node1 by name under key_value=id: fence_scsi's key for node1 is the one removed.
        var off = Agent($"action=off\nnodename=node1\nkey_value=id\ncorosync_conf={conf}\ndevices={_address}\n" +
            $"initiator_name=iqn.2026-01.org.hwfence:kv-node2\nstore_path={Path.Combine(_dir, "kv2")}\n");
        Assert.True(off.Code == 0, $"off node1 key_value=id: {off.Code} {off.Out} {off.Err}");
        Assert.Equal(2, Agent(Status("fb0c0000")).Code);

        var bad = Agent(Derived("status", "node1", "position", 1));
        Assert.Equal(1, bad.Code);
        Assert.Contains("key_value \"position\"", bad.Err, StringComparison.Ordinal);
    }
}
