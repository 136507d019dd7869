namespace HwFence.Scsi.Inquiry;

/// <summary>DESIGNATOR TYPE of a designation descriptor (SPC-4 §7.8.6.1 table 601).</summary>
public enum DesignatorType : byte
{
    VendorSpecific = 0x0,
    T10VendorId = 0x1,
    Eui64 = 0x2,
    Naa = 0x3,
    RelativeTargetPort = 0x4,
    TargetPortGroup = 0x5,
    LogicalUnitGroup = 0x6,
    Md5LogicalUnitId = 0x7,
    ScsiNameString = 0x8,
    ProtocolSpecificPortId = 0x9,
}

/// <summary>CODE SET of a designation descriptor (SPC-4 §7.8.6.1 table 599).</summary>
public enum DesignatorCodeSet : byte
{
    Binary = 0x1,
    Ascii = 0x2,
    Utf8 = 0x3,
}

/// <summary>ASSOCIATION of a designation descriptor (SPC-4 §7.8.6.1 table 600): what it names.</summary>
public enum DesignatorAssociation : byte
{
    LogicalUnit = 0x0,
    TargetPort = 0x1,
    TargetDevice = 0x2,
}
