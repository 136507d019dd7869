using HwFence.Hal.Scsi;
using HwFence.Scsi.Commands;
using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.Sense;

namespace HwFence.Fencing.Tests.Scsi;

/// <summary>
/// A transport decorator that answers PERSISTENT RESERVE OUT / PREEMPT AND ABORT the way tgtd 1.0.85
/// does (CHECK CONDITION, ILLEGAL REQUEST, INVALID FIELD IN CDB) and passes everything else to the
/// emulator — the fallback is also tested against the real tgtd.
/// </summary>
internal sealed class RejectPreemptAndAbortTransport(IScsiTransport inner) : ForwardingTransport(inner)
{
    public int Rejected { get; private set; }

    public override ValueTask<ScsiCommandResult> ExecuteAsync(ReadOnlyMemory<byte> cdb, DataDirection direction, Memory<byte> data,
        Memory<byte> sense, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var c = cdb.Span;
        if (c[0] == ScsiOpcode.PersistentReserveOut && (c[1] & 0x1F) == (byte)PrOutServiceAction.PreemptAndAbort)
        {
            Rejected++;
            Span<byte> s = stackalloc byte[SenseData.FixedLength];
            int n = SenseData.WriteFixed(s, SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb);
            n = Math.Min(n, sense.Length);
            s[..n].CopyTo(sense.Span);
            return ValueTask.FromResult(new ScsiCommandResult(ScsiStatus.CheckCondition, n, 0));
        }

        return Inner.ExecuteAsync(cdb, direction, data, sense, timeout, cancellationToken);
    }
}
