using HwFence.Scsi.Commands;

namespace HwFence.Emulator.LogicalUnits;

/// <summary>
/// Every command the emulated logical unit supports: one row per operation code (and service
/// action), carrying its CDB length, its CDB USAGE DATA bitmap for REPORT SUPPORTED OPERATION
/// CODES (SPC-4 §6.35.3: a 1 marks a bit the device server looks at) and its row of the reservation
/// conflict table. One table serves dispatch, the conflict check and the report, so they agree.
/// </summary>
internal static class CommandTable
{
    internal sealed record Entry(byte Opcode, int ServiceAction, byte[] Usage, ReservationAccess Access, bool AllowedUnderSpc2)
    {
        public bool HasServiceAction => ServiceAction >= 0;

        public int CdbLength => Usage.Length;
    }

    /// <summary>Rows sorted by opcode then service action.</summary>
    public static readonly Entry[] Entries =
    [
        new(ScsiOpcode.TestUnitReady, -1, [0x00, 0x00, 0x00, 0x00, 0x00, 0x00], ReservationAccess.Allowed, false),
        new(ScsiOpcode.RequestSense, -1, [0x03, 0x01, 0x00, 0x00, 0xFF, 0x00], ReservationAccess.Allowed, true),
        new(ScsiOpcode.Inquiry, -1, [0x12, 0x01, 0xFF, 0xFF, 0xFF, 0x00], ReservationAccess.Allowed, true),
        new(ScsiOpcode.Reserve6, -1, [0x16, 0x00, 0x00, 0x00, 0x00, 0x00], ReservationAccess.Spc2, false),
        new(ScsiOpcode.Release6, -1, [0x17, 0x00, 0x00, 0x00, 0x00, 0x00], ReservationAccess.Spc2, true),
        new(ScsiOpcode.ModeSense6, -1, [0x1A, 0x08, 0xFF, 0xFF, 0xFF, 0x00], ReservationAccess.Read, false),
        new(ScsiOpcode.ReadCapacity10, -1, [0x25, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x00], ReservationAccess.Allowed, false),
        new(ScsiOpcode.Read10, -1, [0x28, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00], ReservationAccess.Read, false),
        new(ScsiOpcode.Write10, -1, [0x2A, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00], ReservationAccess.Write, false),
        new(ScsiOpcode.Verify10, -1, [0x2F, 0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00], ReservationAccess.Read, false),
        new(ScsiOpcode.SynchronizeCache10, -1, [0x35, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00], ReservationAccess.Write, false),
        new(ScsiOpcode.Reserve10, -1, [0x56, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], ReservationAccess.Spc2, false),
        new(ScsiOpcode.Release10, -1, [0x57, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], ReservationAccess.Spc2, true),
        new(ScsiOpcode.ModeSense10, -1, [0x5A, 0x18, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00], ReservationAccess.Read, false),
        new(ScsiOpcode.PersistentReserveIn, 0x00, PrIn(0x00), ReservationAccess.Allowed, false),
        new(ScsiOpcode.PersistentReserveIn, 0x01, PrIn(0x01), ReservationAccess.Allowed, false),
        new(ScsiOpcode.PersistentReserveIn, 0x02, PrIn(0x02), ReservationAccess.Allowed, false),
        new(ScsiOpcode.PersistentReserveIn, 0x03, PrIn(0x03), ReservationAccess.Allowed, false),
        new(ScsiOpcode.PersistentReserveOut, 0x00, PrOut(0x00), ReservationAccess.PersistentReserveOut, false),
        new(ScsiOpcode.PersistentReserveOut, 0x01, PrOut(0x01), ReservationAccess.PersistentReserveOut, false),
        new(ScsiOpcode.PersistentReserveOut, 0x02, PrOut(0x02), ReservationAccess.PersistentReserveOut, false),
        new(ScsiOpcode.PersistentReserveOut, 0x03, PrOut(0x03), ReservationAccess.PersistentReserveOut, false),
        new(ScsiOpcode.PersistentReserveOut, 0x04, PrOut(0x04), ReservationAccess.PersistentReserveOut, false),
        new(ScsiOpcode.PersistentReserveOut, 0x05, PrOut(0x05), ReservationAccess.PersistentReserveOut, false),
        new(ScsiOpcode.PersistentReserveOut, 0x06, PrOut(0x06), ReservationAccess.PersistentReserveOut, false),
        new(ScsiOpcode.Read16, -1, [0x88, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00], ReservationAccess.Read, false),
        new(ScsiOpcode.Write16, -1, [0x8A, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00], ReservationAccess.Write, false),
        new(ScsiOpcode.SynchronizeCache16, -1, [0x91, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00], ReservationAccess.Write, false),
        new(ScsiOpcode.ServiceActionIn16, ScsiOpcode.ReadCapacity16ServiceAction, [0x9E, 0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00], ReservationAccess.Allowed, false),
        new(ScsiOpcode.ReportLuns, -1, [0xA0, 0x00, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00], ReservationAccess.Allowed, true),
        new(ScsiOpcode.MaintenanceIn, ScsiOpcode.ReportSupportedOpcodesServiceAction, [0xA3, 0x1F, 0x87, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00], ReservationAccess.Read, false),
        new(ScsiOpcode.Read12, -1, [0xA8, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00], ReservationAccess.Read, false),
        new(ScsiOpcode.Write12, -1, [0xAA, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00], ReservationAccess.Write, false),
    ];

    /// <summary>The row for the CDB's opcode and (where the opcode has service actions) service action.</summary>
    public static Entry? Find(ReadOnlySpan<byte> cdb)
    {
        byte op = cdb[0];
        int sa = cdb.Length > 1 ? cdb[1] & 0x1F : 0;
        foreach (var e in Entries)
        {
            if (e.Opcode == op && (!e.HasServiceAction || e.ServiceAction == sa))
            {
                return e;
            }
        }

        return null;
    }

    /// <summary>True when some row has this opcode (used to tell a bad service action from an unknown opcode).</summary>
    public static bool HasOpcode(byte opcode)
    {
        foreach (var e in Entries)
        {
            if (e.Opcode == opcode)
            {
                return true;
            }
        }

        return false;
    }

    private static byte[] PrIn(byte sa) => [0x5E, sa, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00];

    private static byte[] PrOut(byte sa) => [0x5F, sa, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00];
}
