namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// Why <see cref="IscsiPduReader"/> could not frame a PDU: a sentence naming the field, and the
/// reject reason a target would send for it (RFC 7143 §11.17.1). Default = no error.
/// </summary>
public readonly record struct IscsiPduError(string? Message, IscsiRejectReason Reason)
{
    /// <summary>True when framing failed (the connection cannot continue).</summary>
    public bool IsError => Message is not null;

    /// <summary>No error.</summary>
    public static IscsiPduError None => default;

    /// <inheritdoc/>
    public override string ToString() => Message ?? "no error";
}
