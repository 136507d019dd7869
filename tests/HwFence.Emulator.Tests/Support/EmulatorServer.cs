using System.Net;
using HwFence.Emulator.Iscsi;

namespace HwFence.Emulator.Tests.Support;

/// <summary>An in-memory emulated disk served over iSCSI on a free 127.0.0.1 port, for one test.</summary>
internal sealed class EmulatorServer : IAsyncDisposable
{
    public EmulatorServer(long size = 64L * 1024 * 1024, EmulatedTargetOptions? targetOptions = null, IscsiTargetOptions? iscsiOptions = null)
    {
        Log = new MemoryEmulatorLog();
        targetOptions ??= new EmulatedTargetOptions();
        Disk = EmulatedDisk.CreateInMemory(size, "srv-" + Guid.NewGuid().ToString("N")[..10], new EmulatedTargetOptions
        {
            Iqn = targetOptions.Iqn,
            Luns = targetOptions.Luns,
            LogicalUnit = targetOptions.LogicalUnit,
            Time = targetOptions.Time,
            Log = Log,
        });
        var o = iscsiOptions ?? new IscsiTargetOptions();
        Server = Disk.ServeIscsi(new IscsiTargetOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            MaxRecvDataSegmentLength = o.MaxRecvDataSegmentLength,
            MaxBurstLength = o.MaxBurstLength,
            FirstBurstLength = o.FirstBurstLength,
            ImmediateData = o.ImmediateData,
            InitialR2T = o.InitialR2T,
            CommandWindow = o.CommandWindow,
            NopInInterval = o.NopInInterval,
            NopInTimeout = o.NopInTimeout,
            Chap = o.Chap,
            AdvertisedPortal = o.AdvertisedPortal,
        });
    }

    public MemoryEmulatorLog Log { get; }

    public EmulatedDisk Disk { get; }

    public IscsiTargetServer Server { get; }

    public int Port => Server.LocalEndPoint.Port;

    public string Iqn => Disk.Target.Iqn;

    public string Url(int lun = 0) => Server.UrlFor(lun);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Disk.DisposeAsync();
    }
}
