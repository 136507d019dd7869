using System.Collections.Concurrent;
using System.Globalization;
using HwFence.Emulator.Faults;
using HwFence.Emulator.LogicalUnits;
using HwFence.Emulator.Loopback;
using HwFence.Emulator.Nexus;
using HwFence.Emulator.Reservations;
using HwFence.Emulator.Storage;

namespace HwFence.Emulator;

/// <summary>
/// The shared disk other layers test against: an <see cref="EmulatedTarget"/> with one or more LUNs,
/// in memory or on sparse backing files, reachable in process (<see cref="Connect"/>) and over iSCSI.
/// <code>
/// await using var disk = EmulatedDisk.CreateInMemory(64 * 1024 * 1024);          // "emu:disk-1"
/// IScsiTransport node1 = disk.Connect("iqn.2026-01.org.hwfence:node1");
/// IScsiTransport node2 = disk.Connect("iqn.2026-01.org.hwfence:node2");
/// disk.Faults.For("iqn.2026-01.org.hwfence:node1").Hang = true;                  // node1's commands now hang
/// disk.Restart();                                                                // power cycle; APTPL survives
/// </code>
/// Every disk is registered by name while it lives, so <c>emu:&lt;name&gt;</c> addresses resolve
/// through <see cref="TryGet"/> (and <see cref="ConnectAddress"/>).
/// </summary>
public sealed class EmulatedDisk : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, EmulatedDisk> s_registry = new(StringComparer.Ordinal);
    private static int s_counter;
    private int _disposed;

    private EmulatedDisk(string name, EmulatedTarget target)
    {
        Name = name;
        Target = target;
    }

    /// <summary>The disk's name: its address is <c>emu:&lt;name&gt;</c>.</summary>
    public string Name { get; }

    /// <summary><c>emu:&lt;name&gt;</c> (design.md "Device addresses").</summary>
    public string Address => "emu:" + Name;

    public EmulatedTarget Target { get; }

    /// <summary>LUN 0.</summary>
    public EmulatedLogicalUnit LogicalUnit => Target.LogicalUnits[0];

    /// <summary>Per-initiator faults (latency, hang, fail next N).</summary>
    public FaultPlan Faults => Target.Faults;

    /// <summary>
    /// An in-memory disk of <paramref name="sizeBytes"/> (lazily allocated). APTPL state is kept in
    /// memory, so it survives <see cref="Restart"/> but not the process.
    /// </summary>
    public static EmulatedDisk CreateInMemory(long sizeBytes, string? name = null, EmulatedTargetOptions? options = null)
    {
        options ??= new EmulatedTargetOptions();
        name ??= "disk-" + Interlocked.Increment(ref s_counter).ToString(CultureInfo.InvariantCulture);
        var media = new List<(IBlockStore, IAptplStore)>();
        for (int i = 0; i < options.Luns; i++)
        {
            media.Add((new MemoryBlockStore($"{name}/{i}", sizeBytes), new MemoryAptplStore()));
        }

        return Register(name, media, options);
    }

    /// <summary>
    /// A disk on the sparse file <paramref name="backingPath"/> (created or extended to
    /// <paramref name="sizeBytes"/>); LUN i &gt; 0 uses <c>&lt;backingPath&gt;.lun&lt;i&gt;</c>. APTPL
    /// state lives beside each file in <c>&lt;file&gt;.pr</c> and is restored when the disk is opened again.
    /// </summary>
    public static EmulatedDisk Open(string backingPath, long sizeBytes, string? name = null, EmulatedTargetOptions? options = null)
    {
        options ??= new EmulatedTargetOptions();
        name ??= Path.GetFileNameWithoutExtension(backingPath);
        var media = new List<(IBlockStore, IAptplStore)>();
        try
        {
            for (int i = 0; i < options.Luns; i++)
            {
                string file = i == 0 ? backingPath : $"{backingPath}.lun{i}";
                var store = FileBlockStore.Open(file, sizeBytes);
                media.Add((store, new FileAptplStore(store.BackingPath + ".pr")));
            }
        }
        catch
        {
            foreach (var (s, _) in media)
            {
                s.Dispose();
            }

            throw;
        }

        return Register(name, media, options);
    }

    /// <summary>The live disk registered under <paramref name="name"/> (the part after <c>emu:</c>).</summary>
    public static bool TryGet(string name, out EmulatedDisk disk) => s_registry.TryGetValue(name, out disk!);

    /// <summary>
    /// Resolves <c>emu:&lt;name&gt;[/&lt;lun&gt;]</c> to a loopback transport, or throws
    /// <see cref="ArgumentException"/> naming what is wrong.
    /// </summary>
    public static LoopbackTransport ConnectAddress(string address, string initiatorName, ulong? isid = null)
    {
        if (!address.StartsWith("emu:", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{address}' is not an emu:<name> address", nameof(address));
        }

        string rest = address[4..];
        ushort lun = 0;
        int slash = rest.IndexOf('/');
        if (slash >= 0)
        {
            if (!ushort.TryParse(rest.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out lun))
            {
                throw new ArgumentException($"'{address}': LUN after '/' must be a number", nameof(address));
            }

            rest = rest[..slash];
        }

        if (!TryGet(rest, out var disk))
        {
            throw new ArgumentException($"device {address}: no emulated disk named '{rest}' lives in this process (create it with EmulatedDisk.CreateInMemory or Open first)", nameof(address));
        }

        return disk.Connect(initiatorName, isid, lun);
    }

    /// <summary>
    /// A new initiator port onto LUN <paramref name="lun"/>: <paramref name="initiatorName"/> plus
    /// <paramref name="isid"/> (default: a fixed ISID, so reconnecting with the same name is the same
    /// initiator port and keeps its PR registrations).
    /// </summary>
    public LoopbackTransport Connect(string initiatorName, ulong? isid = null, ushort lun = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(initiatorName);
        if (Target.Find(lun) is null)
        {
            throw new ArgumentOutOfRangeException(nameof(lun), lun, $"{Address} has {Target.LogicalUnits.Count} LUN(s)");
        }

        string address = lun == 0 ? Address : $"{Address}/{lun}";
        return new LoopbackTransport(Target, address, new InitiatorPortId(initiatorName, isid ?? DefaultIsid), lun);
    }

    /// <summary>The ISID loopback transports use unless told otherwise: type 01b (EN), "HWF".</summary>
    public const ulong DefaultIsid = 0x0000_4857_4600_01UL;

    /// <summary>
    /// Serves this disk over iSCSI (default 127.0.0.1:3260; pass port 0 for a free one). Dispose the
    /// returned server to stop listening; the disk stays usable in process.
    /// </summary>
    public Iscsi.IscsiTargetServer ServeIscsi(Iscsi.IscsiTargetOptions? options = null) => Iscsi.IscsiTargetServer.Start(Target, options);

    /// <summary>Power cycle: every nexus drops, non-persistent state is lost, APTPL state is restored.</summary>
    public void Restart()
    {
        Target.Stop();
        Target.Start();
    }

    private static EmulatedDisk Register(string name, List<(IBlockStore, IAptplStore)> media, EmulatedTargetOptions options)
    {
        string iqn = options.Iqn ?? "iqn.2026-01.org.hwfence:emulator." + Sanitize(name);
        EmulatedTarget target;
        try
        {
            target = new EmulatedTarget(iqn, media, options);
        }
        catch
        {
            foreach (var (s, _) in media)
            {
                s.Dispose();
            }

            throw;
        }

        var disk = new EmulatedDisk(name, target);
        if (!s_registry.TryAdd(name, disk))
        {
            target.Dispose();
            throw new InvalidOperationException($"an emulated disk named '{name}' already exists in this process (emu:{name}); choose another name or dispose it first");
        }

        return disk;
    }

    private static string Sanitize(string name)
    {
        var chars = name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '-').ToArray();
        return new string(chars);
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            s_registry.TryRemove(new KeyValuePair<string, EmulatedDisk>(Name, this));
            foreach (var n in Target.Nexuses)
            {
                Target.CloseNexus(n);
            }

            Target.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
