namespace HwFence.Scsi.Commands;

/// <summary>Operation codes HwFence sends or serves (SPC-4 Annex E / SBC-3 §5).</summary>
public static class ScsiOpcode
{
    public const byte TestUnitReady = 0x00;
    public const byte RequestSense = 0x03;
    public const byte Inquiry = 0x12;
    public const byte Reserve6 = 0x16;
    public const byte Release6 = 0x17;
    public const byte ModeSense6 = 0x1A;
    public const byte ReadCapacity10 = 0x25;
    public const byte Read10 = 0x28;
    public const byte Write10 = 0x2A;
    public const byte Verify10 = 0x2F;
    public const byte SynchronizeCache10 = 0x35;
    public const byte WriteBuffer = 0x3B;
    public const byte ReadBuffer = 0x3C;
    public const byte ModeSelect10 = 0x55;
    public const byte Reserve10 = 0x56;
    public const byte Release10 = 0x57;
    public const byte ModeSense10 = 0x5A;
    public const byte PersistentReserveIn = 0x5E;
    public const byte PersistentReserveOut = 0x5F;
    public const byte Read16 = 0x88;
    public const byte Write16 = 0x8A;
    public const byte SynchronizeCache16 = 0x91;
    /// <summary>SERVICE ACTION IN(16); service action 0x10 = READ CAPACITY(16).</summary>
    public const byte ServiceActionIn16 = 0x9E;
    public const byte ReadCapacity16ServiceAction = 0x10;
    public const byte ReportLuns = 0xA0;
    /// <summary>MAINTENANCE IN; service action 0x0C = REPORT SUPPORTED OPERATION CODES.</summary>
    public const byte MaintenanceIn = 0xA3;
    public const byte ReportSupportedOpcodesServiceAction = 0x0C;
    public const byte Read12 = 0xA8;
    public const byte Write12 = 0xAA;
}
