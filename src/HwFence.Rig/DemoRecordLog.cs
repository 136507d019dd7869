using HwFence.Hal.Scsi;
using HwFence.Scsi;

namespace HwFence.Rig;

/// <summary>
/// The demo application's writer: appends numbered, checksummed records (<see cref="DemoRecord"/>)
/// to the record region of the shared disk through this node's (fenced) path, one block per record
/// written with FUA, and acknowledges a record — appends it to the ack log — only after the WRITE
/// returned GOOD. A RESERVATION CONFLICT is the fence speaking: <see cref="DemoAppendOutcome.Fenced"/>,
/// never acknowledged, never retried.
/// </summary>
public sealed class DemoRecordLog
{
    private readonly ScsiDevice _device;
    private readonly RecordRegion _region;
    private readonly IAckLog _ackLog;
    private readonly TimeProvider _time;
    private readonly byte[] _block = GC.AllocateArray<byte>(DemoRecord.BlockSize, pinned: true);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _fenced;

    public DemoRecordLog(ScsiDevice device, RecordRegion region, int nodeId, ulong incarnation, IAckLog ackLog, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(ackLog);
        ArgumentNullException.ThrowIfNull(time);
        if (region.BlockCount <= 0)
        {
            throw new ArgumentException($"record region {region}: needs at least one block", nameof(region));
        }

        _device = device;
        _region = region;
        _ackLog = ackLog;
        _time = time;
        NodeId = nodeId;
        Incarnation = incarnation;
    }

    public int NodeId { get; }

    public ulong Incarnation { get; }

    /// <summary>The number the next record gets; set by <see cref="ResumeAsync"/>.</summary>
    public ulong NextSequence { get; private set; } = 1;

    /// <summary>True once a WRITE met RESERVATION CONFLICT: every later append is refused without touching the disk.</summary>
    public bool IsFenced => _fenced;

    /// <summary>
    /// Scans the region and continues after the highest record found — what a backup does when it
    /// starts the application after a failover. Requires 512-byte blocks.
    /// </summary>
    public async ValueTask<ulong> ResumeAsync(CancellationToken cancellationToken = default)
    {
        var capacity = await _device.ReadCapacityAsync(cancellationToken).ConfigureAwait(false);
        if (capacity.BlockLength != DemoRecord.BlockSize)
        {
            throw new InvalidOperationException(
                $"device {_device.Address}: block length {capacity.BlockLength}, the demo record log needs {DemoRecord.BlockSize}-byte blocks — use a disk formatted with 512-byte blocks");
        }

        DiskRecordScan scan = await DemoRecordReader.ScanAsync(_device, _region, cancellationToken).ConfigureAwait(false);
        NextSequence = scan.HighestSequence + 1;
        return NextSequence;
    }

    /// <summary>Writes the next record and acknowledges it when the disk said GOOD.</summary>
    public async ValueTask<DemoAppendResult> AppendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ulong sequence = NextSequence;
            ulong lba = _region.LbaOf(sequence);
            if (_fenced)
            {
                return new DemoAppendResult(DemoAppendOutcome.Fenced, sequence, lba,
                    $"device {_device.Address}: node {NodeId} was fenced earlier — stop the application; it may write again only after it is unfenced");
            }

            if (!_region.Holds(sequence))
            {
                return new DemoAppendResult(DemoAppendOutcome.RegionFull, sequence, lba,
                    $"device {_device.Address}: record region {_region} is full at record #{sequence} — give the demo a larger region");
            }

            DateTimeOffset stamp = _time.GetUtcNow();
            uint crc = DemoRecord.Write(_block, NodeId, Incarnation, sequence, stamp, payload.Span);
            ScsiOutcome outcome;
            try
            {
                outcome = await _device.TryWriteAsync(lba, 1, _block, fua: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (ScsiTransportException ex)
            {
                return new DemoAppendResult(DemoAppendOutcome.Failed, sequence, lba,
                    $"record #{sequence}: no status from device {_device.Address} ({ex.Message}) — not acknowledged; the block may or may not hold it");
            }

            if (outcome.IsReservationConflict)
            {
                _fenced = true;
                return new DemoAppendResult(DemoAppendOutcome.Fenced, sequence, lba,
                    $"{outcome} — node {NodeId} was fenced; record #{sequence} not acknowledged, stop the application");
            }

            if (!outcome.IsGood)
            {
                return new DemoAppendResult(DemoAppendOutcome.Failed, sequence, lba,
                    $"{outcome} — record #{sequence} not acknowledged");
            }

            _ackLog.Append(new AckLine(_time.GetUtcNow(), NodeId, Incarnation, sequence, lba, crc));
            NextSequence = sequence + 1;
            return new DemoAppendResult(DemoAppendOutcome.Acknowledged, sequence, lba, null);
        }
        finally
        {
            _gate.Release();
        }
    }
}
