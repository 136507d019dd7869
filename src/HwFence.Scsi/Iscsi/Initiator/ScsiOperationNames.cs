namespace HwFence.Scsi.Iscsi.Initiator;

/// <summary>Short names of the CDB opcodes HwFence sends, for transport error messages (SPC-4 / SBC-3 opcode tables).</summary>
internal static class ScsiOperationNames
{
    public static string Get(byte opcode) => opcode switch
    {
        0x00 => "TEST UNIT READY",
        0x03 => "REQUEST SENSE",
        0x12 => "INQUIRY",
        0x16 => "RESERVE(6)",
        0x17 => "RELEASE(6)",
        0x25 => "READ CAPACITY(10)",
        0x28 => "READ(10)",
        0x2A => "WRITE(10)",
        0x35 => "SYNCHRONIZE CACHE(10)",
        0x5E => "PERSISTENT RESERVE IN",
        0x5F => "PERSISTENT RESERVE OUT",
        0x88 => "READ(16)",
        0x8A => "WRITE(16)",
        0x9E => "READ CAPACITY(16)",
        0xA0 => "REPORT LUNS",
        _ => Names[opcode],
    };

    private static readonly string[] Names = Enumerable.Range(0, 256).Select(i => $"opcode 0x{i:X2}").ToArray();
}
