namespace HwFence.Scsi.Iscsi;

/// <summary>What the initiator offers for HeaderDigest/DataDigest (RFC 7143 §13.1).</summary>
public enum IscsiDigestMode
{
    /// <summary>Offer "None" only.</summary>
    None,
    /// <summary>Offer "CRC32C" only: login fails against a target that does not do digests.</summary>
    Crc32C,
    /// <summary>Offer "CRC32C,None": digests when the target agrees.</summary>
    PreferCrc32C,
}
