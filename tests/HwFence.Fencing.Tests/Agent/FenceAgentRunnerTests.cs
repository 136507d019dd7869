using HwFence.Fencing.Agent;
using HwFence.Fencing.Scsi;
using HwFence.Testing;

namespace HwFence.Fencing.Tests.Agent;

/// <summary>The protocol logic on an in-memory key set: every action, exit code and message.</summary>
public class FenceAgentRunnerTests
{
    private readonly Dictionary<string, string> _files = new() { ["/etc/corosync/corosync.conf"] = CorosyncConfigTests.Sample };
    private readonly HashSet<ulong> _disk = [];
    private readonly StringWriter _out = new();
    private readonly StringWriter _log = new();
    private readonly FakeTimeProvider _time = new();
    private bool _reachable = true;

    // key_value defaults to fence_scsi's "id": the node's position in corosync.conf's nodelist (alpha 0, beta 1).
    private static readonly RegistrationKey Alpha = Position(0);
    private static readonly RegistrationKey Beta = Position(1);

    private static RegistrationKey Position(int position)
    {
        Assert.True(FenceAgentKeySchemes.TryDerivePosition("hacluster", position, out var key, out var error), error);
        return key;
    }

    private Task<int> Run(string stdin)
    {
        Assert.True(FenceAgentOptionParser.TryParseStdin(stdin, out var options, out var error), error);
        var runner = new FenceAgentRunner(_out, _log, _time,
            path => _files.TryGetValue(path, out var t) ? t : null,
            (path, text) => _files[path] = text,
            (o, own, ct) => ValueTask.FromResult<IKeyFenceDevice>(new InMemoryKeyFence(_disk, own, _reachable)));
        return runner.RunAsync(options);
    }

    [Fact]
    public async Task On_registers_the_targets_key_derived_from_corosync_and_stores_it()
    {
        Assert.Equal(0, await Run("action=on\nnodename=alpha\ndevices=/dev/sdb\nstore_path=/run/a\n"));
        Assert.Contains(Alpha.Value, _disk);
        Assert.Equal(Alpha + "\n", _files["/run/a.key"]);
        Assert.Contains("Success: Powered ON", _out.ToString());
    }

    [Fact]
    public async Task Off_then_status_is_2_and_on_then_status_is_0()
    {
        Assert.Equal(0, await Run("action=on\nplug=alpha\ndevices=/dev/sdb\nstore_path=/run/a\n"));
        Assert.Equal(0, await Run("action=on\nplug=beta\ndevices=/dev/sdb\nstore_path=/run/b\n"));
        Assert.Equal(0, await Run("action=status\nplug=alpha\ndevices=/dev/sdb\n"));

        Assert.Equal(0, await Run("action=off\nport=alpha\ndevices=/dev/sdb\nstore_path=/run/b\n"));
        Assert.DoesNotContain(Alpha.Value, _disk);
        Assert.Equal(2, await Run("action=status\nplug=alpha\ndevices=/dev/sdb\n"));
        Assert.Contains("Status: OFF", _out.ToString());

        Assert.Equal(0, await Run("action=on\nplug=alpha\ndevices=/dev/sdb\nstore_path=/run/a\n"));
        Assert.Equal(0, await Run("action=status\nplug=1\ndevices=/dev/sdb\n"));
        Assert.Contains("Status: ON", _out.ToString());
    }

    [Fact]
    public async Task Keys_default_to_fence_scsis_id_method_and_key_value_nodeid_gives_the_daemons_keys()
    {
        // fence_scsi's default key for alpha (position 0) is fb0c0000: replacing fence_scsi must not re-key the disks.
        Assert.Equal(0xfb0c0000UL, Alpha.Value);
        Assert.Equal(0, await Run("action=on\nplug=alpha\ndevices=/dev/sdb\nstore_path=/run/a\n"));
        Assert.Equal([Alpha.Value], _disk);

        Assert.Equal(0, await Run("action=on\nplug=alpha\nkey_value=nodeid\ndevices=/dev/sdb\nstore_path=/run/n\n"));
        Assert.Contains(RegistrationKey.Derive("hacluster", 1).Value, _disk);
    }

    [Fact]
    public async Task Off_refuses_to_fence_its_own_key()
    {
        await Run("action=on\nplug=alpha\ndevices=/dev/sdb\nstore_path=/run/a\n");
        Assert.Equal(1, await Run("action=off\nplug=alpha\ndevices=/dev/sdb\nstore_path=/run/a\n"));
        Assert.Contains("cannot fence itself", _log.ToString());
        Assert.Contains(Alpha.Value, _disk);
    }

    [Fact]
    public async Task Off_without_a_known_own_key_fails_and_says_how_to_fix_it()
    {
        Assert.Equal(1, await Run("action=off\nplug=alpha\ndevices=/dev/sdb\nstore_path=/run/none\n"));
        Assert.Contains("run 'on' on this node first", _log.ToString());
    }

    [Fact]
    public async Task Off_with_local_node_and_explicit_key()
    {
        _disk.Add(Beta.Value);
        _disk.Add(0xabcdef);
        Assert.Equal(0, await Run("action=off\nkey=0xabcdef\nlocal_node=beta\ndevices=/dev/sdb\n"));
        Assert.DoesNotContain(0xabcdefUL, _disk);
    }

    [Fact]
    public async Task Reboot_is_performed_as_off_after_the_delay_on_the_injected_clock()
    {
        _disk.Add(Alpha.Value);
        _disk.Add(Beta.Value);
        var run = Run("action=reboot\nplug=alpha\nlocal_node=beta\ndevices=/dev/sdb\ndelay=3\n");
        Assert.False(run.IsCompleted);
        Assert.Contains(Alpha.Value, _disk);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(0, await run);
        Assert.DoesNotContain(Alpha.Value, _disk);
    }

    [Fact]
    public async Task Unreachable_device_is_exit_1_for_off_status_and_monitor()
    {
        _reachable = false;
        Assert.Equal(1, await Run("action=off\nplug=alpha\nlocal_node=beta\ndevices=/dev/sdb\n"));
        Assert.Equal(1, await Run("action=status\nplug=alpha\ndevices=/dev/sdb\n"));
        Assert.Equal(1, await Run("action=monitor\ndevices=/dev/sdb\n"));
        Assert.Equal(1, await Run("action=list\ndevices=/dev/sdb\n"));
    }

    [Fact]
    public async Task List_prints_node_names_and_keys()
    {
        _disk.Add(Alpha.Value);
        _disk.Add(Beta.Value);
        _disk.Add(0x99);
        Assert.Equal(0, await Run("action=list\ndevices=/dev/sdb\n"));
        var lines = _out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["0x99,0x99", "alpha,0xfb0c0000", "beta,0xfb0c0001"], lines);
        _out.GetStringBuilder().Clear();
        Assert.Equal(0, await Run("action=list-status\ndevices=/dev/sdb\n"));
        Assert.Contains("beta,0xfb0c0001,on", _out.ToString());
    }

    [Fact]
    public async Task Validate_all_checks_options_without_touching_devices()
    {
        _reachable = false;
        Assert.Equal(0, await Run("action=validate-all\nplug=alpha\ndevices=/dev/sdb\n"));
        Assert.Equal(1, await Run("action=validate-all\nplug=gamma\ndevices=/dev/sdb\n"));
        Assert.Contains("plug \"gamma\"", _log.ToString());
        Assert.Equal(1, await Run("action=validate-all\nplug=alpha\n"));
        Assert.Contains("devices: none given", _log.ToString());
        Assert.Equal(1, await Run("action=validate-all\ndevices=/dev/sdb\n"));
        Assert.Contains("nodename or key is required", _log.ToString());
    }

    [Fact]
    public async Task Cluster_name_option_overrides_corosync_and_missing_corosync_needs_it()
    {
        _files.Clear();
        // Without corosync.conf there is no nodelist position (key_value=id, the default) ...
        Assert.Equal(1, await Run("action=on\nplug=1\ncluster_name=mycluster\ndevices=/dev/sdb\n"));
        Assert.Contains("plug \"1\": not a node of corosync.conf's nodelist", _log.ToString());
        // ... and with key_value=nodeid, no cluster name.
        Assert.Equal(1, await Run("action=on\nplug=1\nkey_value=nodeid\ndevices=/dev/sdb\n"));
        Assert.Contains("cluster name unknown", _log.ToString());
        Assert.Equal(0, await Run("action=on\nplug=1\nkey_value=nodeid\ncluster_name=mycluster\ndevices=/dev/sdb\nstore_path=/run/m\n"));
        Assert.Contains(0x6c9d0001UL, _disk);
    }

    [Fact]
    public async Task Metadata_and_help_need_no_devices()
    {
        Assert.Equal(0, await Run("action=metadata\n"));
        Assert.Contains("<resource-agent name=\"fence_hwfence\"", _out.ToString());
        Assert.Equal(0, await Run("help=1\n"));
        Assert.Contains("--action=[action]", _out.ToString());
    }
}
