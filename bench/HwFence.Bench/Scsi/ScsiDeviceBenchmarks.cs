using BenchmarkDotNet.Attributes;
using HwFence.Emulator;
using HwFence.Hal.Scsi;
using HwFence.Scsi;
using HwFence.Scsi.Commands;
using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.Sense;

namespace HwFence.Bench.Scsi;

/// <summary>
/// Cost of the SCSI command layer itself: <see cref="ScsiDevice"/> commands over the emulator's
/// in-process loopback transport (a real SPC-4 logical unit, no sockets), and the CDB/sense/PR-IN
/// codecs. MemoryDiagnoser must show 0 B allocated for TUR, READ, WRITE and READ RESERVATION.
/// <c>dotnet run -c Release --project bench/HwFence.Bench -- --filter *ScsiDevice*</c>
/// </summary>
[MemoryDiagnoser]
public class ScsiDeviceBenchmarks
{
    private readonly byte[] _cdb = new byte[Cdb.MaxLength];
    private readonly byte[] _sense = new byte[SenseData.FixedLength];
    private readonly byte[] _keys = new byte[PrReadKeysData.LengthFor(4)];
    private readonly byte[] _block = new byte[512];
    private EmulatedDisk _disk = null!;
    private ScsiDevice _device = null!;

    [GlobalSetup]
    public void Setup()
    {
        _disk = EmulatedDisk.CreateInMemory(16L << 20, "bench-scsi-device");
        _device = new ScsiDevice(_disk.Connect("iqn.2026-01.org.hwfence.bench:a"));
        _device.ClearUnitAttentionsAsync().AsTask().GetAwaiter().GetResult();
        _device.ReadCapacityAsync().AsTask().GetAwaiter().GetResult();
        _device.RegisterAsync(0xA1).AsTask().GetAwaiter().GetResult();
        SenseData.WriteFixed(_sense, SenseKey.UnitAttention, AdditionalSense.RegistrationsPreempted);
        PrReadKeysData.Write(_keys, 7, [1, 2, 3, 4]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _device.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _disk.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public ScsiStatus TestUnitReady() => _device.TryTestUnitReadyAsync().GetAwaiter().GetResult().Status;

    [Benchmark]
    public ScsiStatus Read() => _device.TryReadAsync(8, 1, _block).GetAwaiter().GetResult().Status;

    [Benchmark]
    public ScsiStatus WriteFua() => _device.TryWriteAsync(8, 1, _block, fua: true).GetAwaiter().GetResult().Status;

    [Benchmark]
    public uint ReadReservation() => _device.ReadReservationAsync().GetAwaiter().GetResult().Generation;

    [Benchmark]
    public int BuildWrite16Cdb() => Cdb.Write16(_cdb, 1UL << 40, 8, fua: true);

    [Benchmark]
    public SenseKey ParseSense() => SenseData.TryParse(_sense, out var s, out _) ? s.Key : SenseKey.NoSense;

    [Benchmark]
    public uint ParsePrReservation()
    {
        Span<byte> data = stackalloc byte[PrReadReservationData.LengthWithReservation];
        PrReadReservationData.Write(data, 3, new PrReservation(0xA1, PersistentReservationType.WriteExclusiveRegistrantsOnly));
        return PrReadReservationData.TryParse(data, out var r, out _) ? r.Generation : 0;
    }
}
