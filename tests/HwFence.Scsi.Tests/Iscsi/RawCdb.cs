using System.Buffers.Binary;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Iscsi;

namespace HwFence.Scsi.Tests.Iscsi;

/// <summary>
/// Raw CDBs for the iSCSI transport tests (SPC-4/SBC-3 layouts written out by hand, so these tests
/// depend only on the transport, not on the CDB builders they would otherwise be checking).
/// </summary>
internal static class RawCdb
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static byte[] TestUnitReady() => new byte[6];

    public static byte[] Inquiry(int allocation) => [0x12, 0, 0, (byte)(allocation >> 8), (byte)allocation, 0];

    public static byte[] ReadCapacity10() => [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    public static byte[] Read10(uint lba, ushort blocks) => Rw10(0x28, lba, blocks);

    public static byte[] Write10(uint lba, ushort blocks) => Rw10(0x2A, lba, blocks);

    public static byte[] Reserve6() => [0x16, 0, 0, 0, 0, 0];

    public static byte[] Release6() => [0x17, 0, 0, 0, 0, 0];

    /// <summary>PERSISTENT RESERVE IN (SPC-4 §6.15): service action 0 READ KEYS, 1 READ RESERVATION, 3 READ FULL STATUS.</summary>
    public static byte[] PrIn(byte serviceAction, ushort allocation) =>
        [0x5E, serviceAction, 0, 0, 0, 0, 0, (byte)(allocation >> 8), (byte)allocation, 0];

    /// <summary>PERSISTENT RESERVE OUT (SPC-4 §6.16) with a 24-byte basic parameter list.</summary>
    public static byte[] PrOut(byte serviceAction, byte type) =>
        [0x5F, serviceAction, type, 0, 0, 0, 0, 0, 24, 0];

    /// <summary>The PR OUT basic parameter list: reservation key, service action reservation key.</summary>
    public static byte[] PrOutParameters(ulong key, ulong serviceActionKey)
    {
        byte[] p = new byte[24];
        BinaryPrimitives.WriteUInt64BigEndian(p, key);
        BinaryPrimitives.WriteUInt64BigEndian(p.AsSpan(8), serviceActionKey);
        return p;
    }

    public const byte PrRegister = 0x00;
    public const byte PrReserve = 0x01;
    public const byte PrRelease = 0x02;
    public const byte PrPreempt = 0x04;
    public const byte PrPreemptAndAbort = 0x05;
    public const byte PrRegisterIgnore = 0x06;
    public const byte TypeWriteExclusiveRegistrantsOnly = 0x05;

    /// <summary>Sense key / ASC / ASCQ of fixed (0x70/0x71) or descriptor (0x72/0x73) sense data.</summary>
    public static (int Key, int Asc, int Ascq) Decode(ReadOnlySpan<byte> sense)
    {
        if (sense.Length >= 4 && (sense[0] & 0x7F) is 0x72 or 0x73)
        {
            return (sense[1] & 0x0F, sense[2], sense[3]);
        }

        return sense.Length >= 14 ? (sense[2] & 0x0F, sense[12], sense[13]) : (-1, -1, -1);
    }

    public static async Task<(ScsiCommandResult Result, byte[] Sense)> Run(IscsiTransport t, byte[] cdb, DataDirection dir = DataDirection.None, byte[]? data = null)
    {
        byte[] sense = new byte[96];
        var r = await t.ExecuteAsync(cdb, dir, data ?? Memory<byte>.Empty, sense, Timeout);
        return (r, sense.AsSpan(0, r.SenseLength).ToArray());
    }

    private static byte[] Rw10(byte op, uint lba, ushort blocks)
    {
        byte[] c = new byte[10];
        c[0] = op;
        BinaryPrimitives.WriteUInt32BigEndian(c.AsSpan(2), lba);
        BinaryPrimitives.WriteUInt16BigEndian(c.AsSpan(7), blocks);
        return c;
    }
}
