using System.Net;
using HwFence.Emulator;
using HwFence.Emulator.Iscsi;
using HwFence.Testing;

namespace HwFence.Qemu.Tests;

/// <summary>
/// Two guests (node1, node2) sharing one HwFence emulator disk (64 MiB, in memory, served on a loopback
/// port by this test process) through QEMU's iSCSI initiator (route B), each with its own initiator name,
/// so each guest is its own I_T nexus at the target. Route A too: each guest's eth0 reaches only the same
/// target, through <see cref="KernelPath"/>, as <see cref="QemuGuest.TargetPortal"/> — for the guest kernel's own
/// initiator (open-iscsi). Booted once per test collection; always torn down.
/// </summary>
public sealed class TwoGuestClusterFixture : IAsyncLifetime
{
    public const long DiskBytes = 64L * 1024 * 1024;

    private EmulatedDisk? _disk;
    private IscsiTargetServer? _server;

    /// <summary>What the emulator logged (logins, refusals, resets).</summary>
    public MemoryEmulatorLog EmulatorLog { get; } = new();

    /// <summary>
    /// The TCP path of route A (guest kernel initiators → target): a proxy in this process that tests can cut
    /// (a real connection loss for the kernel's iSCSI session) without touching route B.
    /// </summary>
    public TcpProxy KernelPath { get; private set; } = null!;

    /// <summary>The emulated target's IQN.</summary>
    public string TargetIqn => _disk!.Target.Iqn;

    public QemuGuest Node1 { get; private set; } = null!;

    public QemuGuest Node2 { get; private set; } = null!;

    public string IscsiUrl { get; private set; } = "";

    /// <summary>The null-modem cable between node1's and node2's /dev/ttyS1.</summary>
    public SerialCableRelay Cable { get; private set; } = null!;

    /// <summary>The emulator's logical unit state (reservations, registrations) as the host sees it.</summary>
    public EmulatedTarget Target => _disk!.Target;

    /// <summary>`dotnet &lt;path&gt;/hwfence.dll` as the guest sees it (host /tmp is at /mnt in the guest).</summary>
    public string Hwfence => GuestHwfence;

    /// <summary>`dotnet &lt;path&gt;/hwfence.dll` as every guest sees it.</summary>
    public static string GuestHwfence { get; } = "dotnet " + GuestPath(Path.Combine(AppContext.BaseDirectory, "hwfence.dll"));

    public static string GuestPath(string hostPath) =>
        hostPath.StartsWith("/tmp/", StringComparison.Ordinal) ? "/mnt/" + hostPath["/tmp/".Length..] : hostPath;

    public async Task InitializeAsync()
    {
        if (QemuAvailability.SkipReason is not null)
        {
            return;
        }

        _disk = EmulatedDisk.CreateInMemory(DiskBytes, $"qemu-{Guid.NewGuid():N}"[..13], new EmulatedTargetOptions { Log = EmulatorLog });
        // Route A's initiators dial QemuGuest.TargetPortal (slirp forwards it here): discovery must advertise that.
        _server = _disk.ServeIscsi(new IscsiTargetOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), AdvertisedPortal = QemuGuest.TargetPortal });
        IscsiUrl = _server.UrlFor(0);
        KernelPath = new TcpProxy("127.0.0.1", _server.LocalEndPoint.Port);
        var net = QemuGuest.TargetOnlyNetwork(KernelPath.Port);
        // Both guests boot side by side (an idle TCG guest costs little CPU once booted).
        var boot1 = QemuGuest.BootAsync("node1", "iqn.2026-01.org.hwfence:node1", IscsiUrl, TimeSpan.FromSeconds(90), net);
        var boot2 = QemuGuest.BootAsync("node2", "iqn.2026-01.org.hwfence:node2", IscsiUrl, TimeSpan.FromSeconds(90), net);
        try
        {
            await Task.WhenAll(boot1, boot2);
        }
        catch
        {
            // WhenAll waited for both: dispose whichever guest did boot, then the disk.
            foreach (var boot in new[] { boot1, boot2 })
            {
                if (boot.IsCompletedSuccessfully)
                {
                    await boot.Result.DisposeAsync();
                }
            }

            await DisposeAsync();
            throw;
        }

        Node1 = boot1.Result;
        Node2 = boot2.Result;
        try
        {
            Cable = await SerialCableRelay.ConnectAsync(Node1.CablePath, Node2.CablePath);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (Cable is not null)
        {
            await Cable.DisposeAsync();
        }

        foreach (var guest in new[] { Node1, Node2 })
        {
            if (guest is not null)
            {
                await guest.DisposeAsync();
            }
        }

        if (KernelPath is not null)
        {
            await KernelPath.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_disk is not null)
        {
            await _disk.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TwoGuestCollection : ICollectionFixture<TwoGuestClusterFixture>
{
    public const string Name = "two QEMU guests on one emulated disk";
}
