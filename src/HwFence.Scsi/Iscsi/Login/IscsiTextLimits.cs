namespace HwFence.Scsi.Iscsi.Login;

/// <summary>Bounds for parsing key=value text (RFC 7143 §6.1); a peer cannot make us keep more.</summary>
public sealed record IscsiTextLimits
{
    /// <summary>Key names are at most 63 bytes (RFC 7143 §6.1).</summary>
    public int MaxKeyLength { get; init; } = 63;

    /// <summary>
    /// Largest value in bytes. 8192: standard values are at most 255 bytes (§6.1), but CHAP binary
    /// values (CHAP_C, CHAP_R) may be longer — 1024-byte challenges are legal (§12.1.3); hex doubles them.
    /// </summary>
    public int MaxValueLength { get; init; } = 8192;

    /// <summary>Most pairs in one text: 1024 (a SendTargets answer lists every target and portal).</summary>
    public int MaxPairs { get; init; } = 1024;

    /// <summary>Most bytes of one text assembled across continued PDUs: 64 KiB (§6.2: the C bit).</summary>
    public int MaxTotalBytes { get; init; } = 64 * 1024;

    /// <summary>The defaults above.</summary>
    public static IscsiTextLimits Default { get; } = new();
}
