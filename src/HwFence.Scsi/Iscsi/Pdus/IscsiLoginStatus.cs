namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>Login Status-Class / Status-Detail (RFC 7143 §11.13.5) with names and remedies.</summary>
public static class IscsiLoginStatus
{
    public const byte Success = 0;
    public const byte Redirection = 1;
    public const byte InitiatorError = 2;
    public const byte TargetError = 3;

    /// <summary>Initiator error details.</summary>
    public const byte AuthenticationFailure = 0x01;
    public const byte AuthorizationFailure = 0x02;
    public const byte NotFound = 0x03;
    public const byte TargetRemoved = 0x04;
    public const byte UnsupportedVersion = 0x05;
    public const byte TooManyConnections = 0x06;
    public const byte MissingParameter = 0x07;
    public const byte CantIncludeInSession = 0x08;
    public const byte SessionTypeNotSupported = 0x09;
    public const byte SessionDoesNotExist = 0x0A;
    public const byte InvalidDuringLogin = 0x0B;

    /// <summary>A sentence for Status-Class/Detail, with what to do.</summary>
    public static string Describe(byte statusClass, byte statusDetail) => (statusClass, statusDetail) switch
    {
        (Success, _) => "success",
        (Redirection, 1) => "target moved temporarily (0x0101): retry with the TargetAddress it returned",
        (Redirection, 2) => "target moved permanently (0x0102): update the device address",
        (Redirection, _) => $"redirection (0x01{statusDetail:X2})",
        (InitiatorError, 0) => "initiator error (0x0200)",
        (InitiatorError, AuthenticationFailure) => "authentication failure (0x0201): check the CHAP user name and secret",
        (InitiatorError, AuthorizationFailure) => "authorization failure (0x0202): the target's ACL does not admit this initiator name/address",
        (InitiatorError, NotFound) => "target not found (0x0203): check the target IQN",
        (InitiatorError, TargetRemoved) => "target removed (0x0204)",
        (InitiatorError, UnsupportedVersion) => "unsupported iSCSI version (0x0205)",
        (InitiatorError, TooManyConnections) => "too many connections (0x0206)",
        (InitiatorError, MissingParameter) => "missing parameter (0x0207)",
        (InitiatorError, CantIncludeInSession) => "cannot include connection in session (0x0208)",
        (InitiatorError, SessionTypeNotSupported) => "session type not supported (0x0209)",
        (InitiatorError, SessionDoesNotExist) => "session does not exist (0x020A)",
        (InitiatorError, InvalidDuringLogin) => "invalid request during login (0x020B)",
        (InitiatorError, _) => $"initiator error (0x02{statusDetail:X2})",
        (TargetError, 0) => "target error (0x0300): retry later",
        (TargetError, 1) => "service unavailable (0x0301): retry later",
        (TargetError, 2) => "out of resources (0x0302): retry later",
        (TargetError, _) => $"target error (0x03{statusDetail:X2})",
        _ => $"status class 0x{statusClass:X2} detail 0x{statusDetail:X2}",
    };
}
