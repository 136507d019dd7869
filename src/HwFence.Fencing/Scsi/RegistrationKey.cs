using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HwFence.Fencing.Scsi;

/// <summary>
/// A node's 8-byte SCSI-3 persistent-reservation key (SPC-4 §5.13.1, RESERVATION KEY field of the
/// PERSISTENT RESERVE OUT parameter list, §6.16.3).
/// </summary>
/// <remarks>
/// <para><b>Derivation</b> (<see cref="Derive"/>) — fence_scsi's <c>key_value=id</c> layout, but with the
/// corosync node id where fence_scsi puts the node's 0-based <em>position</em> in the corosync nodelist
/// (<c>nodelist.node.N</c>; measured in a QEMU guest with fence-agents 4.12.1 and corosync 3.1.7: nodeid 1 at
/// position 0 gets …0000 from fence_scsi, …0001 here). <c>hwfence fence-agent</c> (default key_value=id) derives
/// fence_scsi's keys (Fencing.Agent.FenceAgentKeyScheme) for clusters that share disks with fence_scsi:</para>
/// <code>
///  byte:   0    1    2    3    4    5    6    7
///        +----+----+----+----+----+----+----+----+
///        | 00 | 00 | 00 | 00 |  C (16)  | node id  |
///        +----+----+----+----+----+----+----+----+
///  C       = the first 2 bytes of MD5(UTF-8 cluster name) (as fence_scsi: the first 4 hex digits
///            of the md5 hexdigest of corosync's totem.cluster_name);
///  node id = the node id in decimal, 4 digits, each digit one hex nibble (node 12 → 0x0012),
///            so 1 ≤ node id ≤ 9999.
/// </code>
/// <para><b>Readable with sg_persist</b>: <c>sg_persist -n -i -k -d /dev/sdX</c> prints
/// <c>0x5f3a0002</c> for node 2 of the cluster whose name hashes to 5f3a…: the last four digits are
/// the node id as written in corosync.conf, the four before it tell clusters sharing a disk apart.
/// <see cref="ToString"/> prints the same text (lower-case hex, no leading zeros) and
/// <see cref="TryParse"/> reads it back, with or without <c>0x</c>.</para>
/// <para><b>Never zero</b>: key 0 means "no key" in REGISTER (SPC-4 §5.13.7: a zero SERVICE ACTION
/// RESERVATION KEY unregisters). Node id 0 is refused, and a nonzero node id makes the low bytes
/// nonzero whatever the hash.</para>
/// </remarks>
public readonly record struct RegistrationKey(ulong Value)
{
    /// <summary>Largest node id the 4-digit decimal field holds.</summary>
    public const int MaxNodeId = 9999;

    /// <summary>True for a usable key (SPC-4 §5.13.7: zero is "unregister").</summary>
    public bool IsValid => Value != 0;

    /// <summary>Derives the key of <paramref name="nodeId"/> in cluster <paramref name="clusterName"/> (layout above).</summary>
    /// <exception cref="ArgumentException">Empty cluster name, or node id outside 1..9999.</exception>
    public static RegistrationKey Derive(string clusterName, int nodeId)
    {
        if (!TryDerive(clusterName, nodeId, out var key, out var error))
        {
            throw new ArgumentException(error);
        }

        return key;
    }

    /// <summary>Non-throwing <see cref="Derive"/>: false with a message naming the bad field.</summary>
    public static bool TryDerive(string clusterName, int nodeId, out RegistrationKey key, out string error)
    {
        key = default;
        if (string.IsNullOrWhiteSpace(clusterName))
        {
            error = "cluster name: empty — set cluster_name (or corosync.conf totem.cluster_name)";
            return false;
        }

        if (nodeId is < 1 or > MaxNodeId)
        {
            error = $"node id {nodeId}: out of range — registration keys hold node ids 1..{MaxNodeId} (corosync nodeid)";
            return false;
        }

        key = new RegistrationKey(((ulong)ClusterTag(clusterName) << 16) | ToBcd(nodeId));
        error = "";
        return true;
    }

    /// <summary>The 16-bit cluster tag: the first two bytes of MD5 of the UTF-8 cluster name.</summary>
    public static ushort ClusterTag(string clusterName)
    {
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(clusterName.Length, 256))];
        var name = clusterName.Length <= 256 ? clusterName : clusterName[..256];
        int n = Encoding.UTF8.GetBytes(name, utf8);
        Span<byte> digest = stackalloc byte[MD5.HashSizeInBytes];

        // MD5 here is a name tag chosen for fence_scsi compatibility, not a security measure.
        MD5.HashData(utf8[..n], digest);
        return BinaryPrimitives.ReadUInt16BigEndian(digest);
    }

    /// <summary>
    /// The node id encoded in the low 16 bits, when they are four decimal digits (a key
    /// <see cref="Derive"/> made); false for keys of another scheme.
    /// </summary>
    public bool TryGetNodeId(out int nodeId)
    {
        nodeId = 0;
        if (Value >> 32 != 0)
        {
            return false;
        }

        uint low = (uint)(Value & 0xFFFF);
        for (int shift = 12; shift >= 0; shift -= 4)
        {
            uint digit = (low >> shift) & 0xF;
            if (digit > 9)
            {
                nodeId = 0;
                return false;
            }

            nodeId = (nodeId * 10) + (int)digit;
        }

        return nodeId != 0;
    }

    /// <summary>True when this key was derived for cluster <paramref name="clusterName"/>.</summary>
    public bool BelongsTo(string clusterName) =>
        Value >> 32 == 0 && (ushort)(Value >> 16) == ClusterTag(clusterName) && TryGetNodeId(out _);

    /// <summary>Writes the key big-endian, as it travels in PR OUT parameter lists (SPC-4 §6.16.3).</summary>
    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt64BigEndian(destination, Value);

    /// <summary>Reads a big-endian key (READ KEYS list entry, SPC-4 §6.15.2).</summary>
    public static RegistrationKey ReadFrom(ReadOnlySpan<byte> source) => new(BinaryPrimitives.ReadUInt64BigEndian(source));

    /// <summary>As sg_persist prints it: <c>0x</c>, lower-case hex, no leading zeros.</summary>
    public override string ToString() => "0x" + Value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses a key as operators and fence_scsi write it: hexadecimal, optional <c>0x</c>, at most
    /// 16 digits, nonzero. False with a message naming the field otherwise.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out RegistrationKey key, out string error)
    {
        key = default;
        var t = text.Trim();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            t = t[2..];
        }

        if (t.IsEmpty || t.Length > 16)
        {
            error = $"key \"{text.ToString()}\": expected 1 to 16 hexadecimal digits (e.g. 0x5f3a0002)";
            return false;
        }

        if (!ulong.TryParse(t, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            error = $"key \"{text.ToString()}\": not hexadecimal (e.g. 0x5f3a0002)";
            return false;
        }

        if (value == 0)
        {
            error = "key 0: a registration key cannot be zero (SPC-4 §5.13.7: zero unregisters)";
            return false;
        }

        key = new RegistrationKey(value);
        error = "";
        return true;
    }

    /// <summary>Throwing edge of <see cref="TryParse"/>.</summary>
    public static RegistrationKey Parse(string text) =>
        TryParse(text, out var key, out var error) ? key : throw new FormatException(error);

    private static ulong ToBcd(int value)
    {
        ulong bcd = 0;
        for (int shift = 0; shift < 16; shift += 4)
        {
            bcd |= (ulong)(value % 10) << shift;
            value /= 10;
        }

        return bcd;
    }
}
