using System.Buffers.Binary;
using HwFence.Scsi.Commands;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.LogicalUnits;

public sealed partial class EmulatedLogicalUnit
{
    /// <summary>
    /// REQUEST SENSE (SPC-4 §6.39): byte 1 DESC(0), byte 4 ALLOCATION LENGTH. Returns (and clears)
    /// the oldest pending unit attention, else NOT READY when the unit is not ready, else NO SENSE.
    /// </summary>
    private CommandOutcome RequestSense(NexusState st, ref CommandIo io)
    {
        bool descriptor = (io.Cdb[1] & 0x01) != 0;
        int alloc = io.Cdb[4];
        SenseKey key = SenseKey.NoSense;
        AdditionalSense asc = AdditionalSense.None;
        if (st.TryTake(out var ua))
        {
            key = SenseKey.UnitAttention;
            asc = ua;
        }
        else if (_notReady is { } nr)
        {
            key = SenseKey.NotReady;
            asc = nr;
        }

        Span<byte> b = stackalloc byte[SenseData.FixedLength];
        int n = descriptor ? SenseData.WriteDescriptor(b, key, asc) : SenseData.WriteFixed(b, key, asc);
        return io.Respond(b[..n], alloc);
    }

    /// <summary>
    /// REPORT LUNS (SPC-4 §6.33): byte 2 SELECT REPORT (0, 1 or 2), bytes 6-9 ALLOCATION LENGTH (at
    /// least 16). LUN encoding (SAM-5 §4.7) is the Scsi layer's <see cref="ScsiLun"/>.
    /// Clears a pending REPORTED LUNS DATA HAS CHANGED unit attention.
    /// </summary>
    private CommandOutcome ReportLuns(NexusState st, ref CommandIo io)
    {
        byte select = io.Cdb[2];
        uint alloc = ReadUInt32(io.Cdb[6..]);
        if (select > 2)
        {
            return io.InvalidField(2);
        }

        if (alloc < 16)
        {
            return io.InvalidField(6);
        }

        st.Remove(AdditionalSense.ReportedLunsDataChanged);
        var luns = select == 1 ? Array.Empty<ushort>() : _luns();
        int len = 8 + 8 * luns.Count;
        Span<ScsiLun> encoded = luns.Count <= 256 ? stackalloc ScsiLun[luns.Count] : new ScsiLun[luns.Count];
        for (int i = 0; i < luns.Count; i++)
        {
            encoded[i] = ScsiLun.FromNumber(luns[i]);
        }

        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(len);
        try
        {
            var b = rented.AsSpan(0, len);
            return io.Respond(b[..ReportLunsData.Write(b, encoded)], (int)Math.Min(alloc, int.MaxValue));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// REPORT SUPPORTED OPERATION CODES (SPC-4 §6.35): byte 2 RCTD(7) | REPORTING OPTIONS(2-0),
    /// byte 3 REQUESTED OPERATION CODE, bytes 4-5 REQUESTED SERVICE ACTION, bytes 6-9 ALLOCATION LENGTH.
    /// </summary>
    private CommandOutcome ReportSupportedOperationCodes(ref CommandIo io)
    {
        bool rctd = (io.Cdb[2] & 0x80) != 0;
        int options = io.Cdb[2] & 0x07;
        byte requestedOp = io.Cdb[3];
        int requestedSa = BinaryPrimitives.ReadUInt16BigEndian(io.Cdb[4..]);
        int alloc = (int)Math.Min(ReadUInt32(io.Cdb[6..]), int.MaxValue);
        int timeouts = rctd ? 12 : 0;
        Span<byte> b = stackalloc byte[4 + CommandTable.Entries.Length * (8 + 12)];
        b.Clear();

        if (options == 0)
        {
            // All commands: 8-byte command descriptors (SPC-4 table 346).
            int p = 4;
            foreach (var e in CommandTable.Entries)
            {
                b[p] = e.Opcode;
                BinaryPrimitives.WriteUInt16BigEndian(b[(p + 2)..], (ushort)Math.Max(e.ServiceAction, 0));
                b[p + 5] = (byte)((rctd ? 0x02 : 0) | (e.HasServiceAction ? 0x01 : 0));
                BinaryPrimitives.WriteUInt16BigEndian(b[(p + 6)..], (ushort)e.CdbLength);
                p += 8;
                if (rctd)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(b[p..], 0x0A); // timeouts descriptor, no values
                    p += 12;
                }
            }

            BinaryPrimitives.WriteUInt32BigEndian(b, (uint)(p - 4));
            return io.Respond(b[..p], alloc);
        }

        if (options > 3)
        {
            return io.InvalidField(2, 2);
        }

        // One command (SPC-4 table 348): byte 1 CTDP(7) | SUPPORT(2-0), bytes 2-3 CDB SIZE, CDB USAGE DATA.
        CommandTable.Entry? match = null;
        bool opcodeHasServiceActions = false;
        foreach (var e in CommandTable.Entries)
        {
            if (e.Opcode != requestedOp)
            {
                continue;
            }

            opcodeHasServiceActions |= e.HasServiceAction;
            if (!e.HasServiceAction || e.ServiceAction == requestedSa)
            {
                match = e;
            }
        }

        if ((options == 1 && opcodeHasServiceActions) || (options == 2 && match is { HasServiceAction: false }))
        {
            return io.InvalidField(2, 2); // the reporting option does not fit the opcode's service-action use
        }

        if (options == 1 && match is { HasServiceAction: true })
        {
            match = null;
        }

        if (match is null)
        {
            b[1] = 0x01; // SUPPORT 001b: not supported
            return io.Respond(b[..4], alloc);
        }

        b[1] = (byte)((rctd ? 0x80 : 0) | 0x03); // SUPPORT 011b: supported in conformance with a standard
        BinaryPrimitives.WriteUInt16BigEndian(b[2..], (ushort)match.CdbLength);
        match.Usage.CopyTo(b[4..]);
        int len = 4 + match.CdbLength;
        if (rctd)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b[len..], 0x0A);
            len += 12;
        }

        return io.Respond(b[..len], alloc);
    }
}
