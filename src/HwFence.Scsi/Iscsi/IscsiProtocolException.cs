using HwFence.Scsi.Iscsi.Pdus;

namespace HwFence.Scsi.Iscsi;

/// <summary>
/// The iSCSI peer broke the protocol or refused us: a malformed PDU (the framing error names the field),
/// a Reject (carries <see cref="RejectReason"/>), a failed login (carries <see cref="LoginStatusClass"/>
/// and <see cref="LoginStatusDetail"/>, RFC 7143 §11.13.5) or a negotiation we cannot accept.
/// </summary>
public sealed class IscsiProtocolException : IOException
{
    public IscsiProtocolException(string peer, string message, Exception? inner = null)
        : base($"iSCSI {peer}: {message}", inner) => Peer = peer;

    /// <summary>The peer, as host:port[/iqn].</summary>
    public string Peer { get; }

    /// <summary>The Reject reason, when the peer sent (or we would send) a Reject.</summary>
    public IscsiRejectReason? RejectReason { get; init; }

    /// <summary>Login Status-Class when a login failed (1 redirect, 2 initiator error, 3 target error).</summary>
    public byte? LoginStatusClass { get; init; }

    /// <summary>Login Status-Detail when a login failed.</summary>
    public byte? LoginStatusDetail { get; init; }

    /// <summary>A framing error from <see cref="IscsiPduReader"/>.</summary>
    public static IscsiProtocolException Framing(string peer, IscsiPduError error) =>
        new(peer, error.Message ?? "malformed PDU") { RejectReason = error.Reason };

    /// <summary>A Reject PDU received from the peer.</summary>
    public static IscsiProtocolException Rejected(string peer, IscsiRejectReason reason, IscsiOpcode rejectedOpcode) =>
        new(peer, $"target rejected our {IscsiOpcodeInfo.Name(rejectedOpcode)}: {IscsiRejectReasons.Describe(reason)}") { RejectReason = reason };

    /// <summary>A Login Response with a non-zero Status-Class.</summary>
    public static IscsiProtocolException LoginFailed(string peer, byte statusClass, byte statusDetail) =>
        new(peer, $"login failed: {IscsiLoginStatus.Describe(statusClass, statusDetail)}")
        {
            LoginStatusClass = statusClass,
            LoginStatusDetail = statusDetail,
        };
}
