namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>iSCSI PDU opcodes (RFC 7143 §11.2.1.2): 0x00–0x1F initiator → target, 0x20–0x3F target → initiator.</summary>
public enum IscsiOpcode : byte
{
    NopOut = 0x00,
    ScsiCommand = 0x01,
    TaskManagementRequest = 0x02,
    LoginRequest = 0x03,
    TextRequest = 0x04,
    DataOut = 0x05,
    LogoutRequest = 0x06,
    SnackRequest = 0x10,

    NopIn = 0x20,
    ScsiResponse = 0x21,
    TaskManagementResponse = 0x22,
    LoginResponse = 0x23,
    TextResponse = 0x24,
    DataIn = 0x25,
    LogoutResponse = 0x26,
    ReadyToTransfer = 0x31,
    AsyncMessage = 0x32,
    Reject = 0x3F,
}

/// <summary>Which side sends a PDU; the framing reader rejects opcodes from the wrong side.</summary>
public enum IscsiPduSource
{
    /// <summary>The reader is an initiator: only target opcodes (0x20–0x3F) are valid.</summary>
    Target,
    /// <summary>The reader is a target: only initiator opcodes (0x00–0x1F) are valid.</summary>
    Initiator,
}

/// <summary>Opcode helpers.</summary>
public static class IscsiOpcodeInfo
{
    /// <summary>True for the 18 opcodes RFC 7143 defines.</summary>
    public static bool IsDefined(IscsiOpcode op) => op switch
    {
        IscsiOpcode.NopOut or IscsiOpcode.ScsiCommand or IscsiOpcode.TaskManagementRequest or IscsiOpcode.LoginRequest
            or IscsiOpcode.TextRequest or IscsiOpcode.DataOut or IscsiOpcode.LogoutRequest or IscsiOpcode.SnackRequest
            or IscsiOpcode.NopIn or IscsiOpcode.ScsiResponse or IscsiOpcode.TaskManagementResponse or IscsiOpcode.LoginResponse
            or IscsiOpcode.TextResponse or IscsiOpcode.DataIn or IscsiOpcode.LogoutResponse or IscsiOpcode.ReadyToTransfer
            or IscsiOpcode.AsyncMessage or IscsiOpcode.Reject => true,
        _ => false,
    };

    /// <summary>The side that sends <paramref name="op"/>.</summary>
    public static IscsiPduSource SourceOf(IscsiOpcode op) => (byte)op >= 0x20 ? IscsiPduSource.Target : IscsiPduSource.Initiator;

    /// <summary>The name RFC 7143 uses, for error messages.</summary>
    public static string Name(IscsiOpcode op) => op switch
    {
        IscsiOpcode.NopOut => "NOP-Out",
        IscsiOpcode.ScsiCommand => "SCSI Command",
        IscsiOpcode.TaskManagementRequest => "Task Management Function Request",
        IscsiOpcode.LoginRequest => "Login Request",
        IscsiOpcode.TextRequest => "Text Request",
        IscsiOpcode.DataOut => "SCSI Data-Out",
        IscsiOpcode.LogoutRequest => "Logout Request",
        IscsiOpcode.SnackRequest => "SNACK Request",
        IscsiOpcode.NopIn => "NOP-In",
        IscsiOpcode.ScsiResponse => "SCSI Response",
        IscsiOpcode.TaskManagementResponse => "Task Management Function Response",
        IscsiOpcode.LoginResponse => "Login Response",
        IscsiOpcode.TextResponse => "Text Response",
        IscsiOpcode.DataIn => "SCSI Data-In",
        IscsiOpcode.LogoutResponse => "Logout Response",
        IscsiOpcode.ReadyToTransfer => "Ready To Transfer (R2T)",
        IscsiOpcode.AsyncMessage => "Asynchronous Message",
        IscsiOpcode.Reject => "Reject",
        _ => $"opcode 0x{(byte)op:X2}",
    };
}
