using HwFence.Emulator.Loopback;

namespace HwFence.Emulator.Tests.Support;

/// <summary>An in-memory emulated disk per test, with helpers for named initiators.</summary>
internal sealed class DiskFixture : IAsyncDisposable
{
    public const string NodeA = "iqn.2026-01.org.hwfence.test:node-a";
    public const string NodeB = "iqn.2026-01.org.hwfence.test:node-b";
    public const string NodeC = "iqn.2026-01.org.hwfence.test:node-c";

    private readonly List<LoopbackTransport> _transports = new();

    public DiskFixture(long size = 16L * 1024 * 1024, EmulatedTargetOptions? options = null)
    {
        Disk = EmulatedDisk.CreateInMemory(size, "t-" + Guid.NewGuid().ToString("N")[..12], options);
    }

    public DiskFixture(EmulatedDisk disk) => Disk = disk;

    public EmulatedDisk Disk { get; }

    /// <summary>A connected initiator whose power-on unit attention is already consumed.</summary>
    public TestInitiator Initiator(string name, ulong? isid = null, bool clearUnitAttentions = true)
    {
        var t = Disk.Connect(name, isid);
        _transports.Add(t);
        var i = new TestInitiator(t);
        if (clearUnitAttentions)
        {
            i.ClearUnitAttentions();
        }

        return i;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var t in _transports)
        {
            await t.DisposeAsync();
        }

        await Disk.DisposeAsync();
    }
}
