namespace HwFence.Emulator.LogicalUnits;

/// <summary>Identity and geometry of one emulated logical unit.</summary>
public sealed class LogicalUnitOptions
{
    /// <summary>Logical block length in bytes. Default 512: what every initiator and tgtd's default use.</summary>
    public int BlockSize { get; init; } = 512;

    /// <summary>T10 VENDOR IDENTIFICATION (8 ASCII characters, space padded; SPC-4 §6.6.2). Default "HWFENCE".</summary>
    public string Vendor { get; init; } = "HWFENCE";

    /// <summary>PRODUCT IDENTIFICATION (16 ASCII characters). Default "EMULATED DISK".</summary>
    public string Product { get; init; } = "EMULATED DISK";

    /// <summary>PRODUCT REVISION LEVEL (4 ASCII characters). Default "0001".</summary>
    public string Revision { get; init; } = "0001";

    /// <summary>MAXIMUM TRANSFER LENGTH in blocks reported in VPD 0xB0. Default 16384 (8 MiB at 512 B), tgtd-like.</summary>
    public int MaxTransferBlocks { get; init; } = 16384;

    /// <summary>Checks the values; the message names the field and the allowed range.</summary>
    public void Validate()
    {
        if (BlockSize is not (512 or 1024 or 2048 or 4096))
        {
            throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "block size must be 512, 1024, 2048 or 4096 bytes");
        }

        if (Vendor.Length is 0 or > 8 || Product.Length is 0 or > 16 || Revision.Length is 0 or > 4)
        {
            throw new ArgumentException("vendor (1-8), product (1-16) and revision (1-4) must be short ASCII strings");
        }

        if (MaxTransferBlocks < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTransferBlocks), MaxTransferBlocks, "must be at least 1");
        }
    }
}
