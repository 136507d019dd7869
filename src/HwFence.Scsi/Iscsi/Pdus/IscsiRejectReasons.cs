namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>Names of Reject reasons (RFC 7143 §11.17.1) for messages.</summary>
public static class IscsiRejectReasons
{
    public static string Describe(IscsiRejectReason reason) => reason switch
    {
        IscsiRejectReason.DataDigestError => "data (payload) digest error (0x02)",
        IscsiRejectReason.SnackReject => "SNACK reject (0x03)",
        IscsiRejectReason.ProtocolError => "protocol error (0x04)",
        IscsiRejectReason.CommandNotSupported => "command not supported (0x05)",
        IscsiRejectReason.ImmediateCommandReject => "immediate command reject - too many immediate commands (0x06)",
        IscsiRejectReason.TaskInProgress => "task in progress (0x07)",
        IscsiRejectReason.InvalidDataAck => "invalid data ack (0x08)",
        IscsiRejectReason.InvalidPduField => "invalid PDU field (0x09)",
        IscsiRejectReason.LongOperationReject => "long operation reject - out of resources (0x0A)",
        IscsiRejectReason.DeprecatedNegotiationReset => "negotiation reset (0x0B)",
        IscsiRejectReason.WaitingForLogout => "waiting for logout (0x0C)",
        _ => $"reason 0x{(byte)reason:X2}",
    };
}
