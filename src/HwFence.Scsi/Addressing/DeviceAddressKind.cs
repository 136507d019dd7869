namespace HwFence.Scsi.Addressing;

/// <summary>Which path a device address names (design.md "Device addresses").</summary>
public enum DeviceAddressKind
{
    /// <summary><c>/dev/sg3</c>, <c>sg:/dev/sg3</c>, <c>/dev/sdb</c>: Linux SG_IO.</summary>
    SgIo,
    /// <summary><c>\\.\PhysicalDrive1</c>: Windows IOCTL_SCSI_PASS_THROUGH_DIRECT.</summary>
    Spti,
    /// <summary><c>iscsi://host[:port]/&lt;target-iqn&gt;/&lt;lun&gt;</c>: the built-in iSCSI initiator.</summary>
    Iscsi,
    /// <summary><c>emu:&lt;name&gt;</c>: an in-process emulated disk.</summary>
    Emulator,
    /// <summary><c>&lt;scheme&gt;:&lt;rest&gt;</c> for a scheme registered with <see cref="ScsiTransportFactory.RegisterScheme"/>.</summary>
    Custom,
}
