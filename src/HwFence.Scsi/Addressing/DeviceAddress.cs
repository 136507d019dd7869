using System.Globalization;

namespace HwFence.Scsi.Addressing;

/// <summary>
/// A parsed device address (design.md "Device addresses"):
/// <code>
///  /dev/sg3  sg:/dev/sg3  /dev/sdb           Linux SG_IO            (Path)
///  \\.\PhysicalDrive1                         Windows SPTI           (Path)
///  iscsi://host[:port]/&lt;target-iqn&gt;/&lt;lun&gt;    iSCSI, port 3260       (Host, Port, TargetName, Lun)
///  emu:&lt;name&gt;[/&lt;lun&gt;]                       in-process emulator    (Name, Lun)
///  &lt;scheme&gt;:&lt;rest&gt;                            registered scheme      (Scheme, Name)
/// </code>
/// </summary>
public sealed record DeviceAddress
{
    /// <summary>The IANA-registered iSCSI target port ("iscsi-target", 3260/tcp).</summary>
    public const int DefaultIscsiPort = 3260;

    private DeviceAddress(DeviceAddressKind kind, string scheme, string text)
    {
        Kind = kind;
        Scheme = scheme;
        Text = text;
    }

    public DeviceAddressKind Kind { get; }

    /// <summary>"sg", "spti", "iscsi", "emu", or the custom scheme; the key of <see cref="ScsiTransportFactory"/>'s registry.</summary>
    public string Scheme { get; }

    /// <summary>The address as the operator wrote it (trimmed); what error messages show.</summary>
    public string Text { get; }

    /// <summary>Device node (SG_IO) or \\.\PhysicalDriveN (SPTI).</summary>
    public string? Path { get; private init; }

    /// <summary>iSCSI portal host (name, IPv4 or IPv6 without brackets).</summary>
    public string? Host { get; private init; }

    /// <summary>iSCSI portal port.</summary>
    public int Port { get; private init; }

    /// <summary>iSCSI target name (iqn./eui./naa.).</summary>
    public string? TargetName { get; private init; }

    /// <summary>Logical unit number (iSCSI, emulator).</summary>
    public int Lun { get; private init; }

    /// <summary>Emulator disk name, or the part after a custom scheme's colon.</summary>
    public string? Name { get; private init; }

    public override string ToString() => Text;

    public static DeviceAddress Parse(string address) =>
        TryParse(address, out var a, out var field, out var error) ? a! : throw new DeviceAddressFormatException(address ?? "", field!, error!);

    /// <summary>Non-throwing parse; on failure <paramref name="field"/> names the wrong part and <paramref name="error"/> says how to fix it.</summary>
    public static bool TryParse(string? address, out DeviceAddress? result, out string? field, out string? error)
    {
        result = null;
        string text = (address ?? "").Trim();
        if (text.Length == 0)
        {
            return Fail("address", "empty; use /dev/sgN, /dev/sdX, \\\\.\\PhysicalDriveN, iscsi://host[:port]/<target-iqn>/<lun> or emu:<name>", out field, out error);
        }

        if (text.StartsWith('/'))
        {
            return SgIo(text, text, out result, out field, out error);
        }

        if (text.StartsWith(@"\\.\", StringComparison.Ordinal))
        {
            const string prefix = @"\\.\PhysicalDrive";
            if (!text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || text.Length == prefix.Length ||
                !uint.TryParse(text.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return Fail("drive number", "Windows addresses are \\\\.\\PhysicalDriveN with N a number (see `Get-Disk`)", out field, out error);
            }

            result = new DeviceAddress(DeviceAddressKind.Spti, "spti", text) { Path = text };
            field = error = null;
            return true;
        }

        int colon = text.IndexOf(':');
        if (colon <= 0)
        {
            return Fail("scheme", "not a device path and no scheme; use /dev/sgN, /dev/sdX, \\\\.\\PhysicalDriveN, iscsi://… or emu:<name>", out field, out error);
        }

        string scheme = text[..colon].ToLowerInvariant();
        string rest = text[(colon + 1)..];
        switch (scheme)
        {
            case "sg":
                return SgIo(text, rest, out result, out field, out error);
            case "iscsi":
                return TryParseIscsi(text, rest, out result, out field, out error);
            case "emu":
                return TryParseEmulator(text, rest, out result, out field, out error);
            default:
                if (!IsSchemeName(scheme))
                {
                    return Fail("scheme", $"'{scheme}' is not a valid scheme name (letters, digits, '+', '-', '.')", out field, out error);
                }

                result = new DeviceAddress(DeviceAddressKind.Custom, scheme, text) { Name = rest };
                field = error = null;
                return true;
        }
    }

    internal static bool IsSchemeName(string scheme)
    {
        if (scheme.Length == 0 || !char.IsAsciiLetter(scheme[0]))
        {
            return false;
        }

        foreach (char c in scheme)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>emu:&lt;name&gt;[/&lt;lun&gt;]</c>: the emulator's disk name and LUN (default 0).</summary>
    private static bool TryParseEmulator(string text, string rest, out DeviceAddress? result, out string? field, out string? error)
    {
        result = null;
        int slash = rest.IndexOf('/');
        string name = slash < 0 ? rest : rest[..slash];
        if (name.Length == 0)
        {
            return Fail("name", "emu: needs a disk name, e.g. emu:shared0 or emu:shared0/1", out field, out error);
        }

        int lun = 0;
        if (slash >= 0 &&
            (!int.TryParse(rest.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out lun) || lun > Commands.ScsiLun.MaxNumber))
        {
            return Fail("LUN", $"'{rest[(slash + 1)..]}' is not a LUN number 0-{Commands.ScsiLun.MaxNumber}", out field, out error);
        }

        result = new DeviceAddress(DeviceAddressKind.Emulator, "emu", text) { Name = name, Lun = lun };
        field = error = null;
        return true;
    }

    private static bool SgIo(string text, string path, out DeviceAddress? result, out string? field, out string? error)
    {
        result = null;
        if (!path.StartsWith('/') || path.Length < 2)
        {
            return Fail("path", "SG_IO needs an absolute device path such as /dev/sg3 or /dev/sdb (see `lsscsi -g`)", out field, out error);
        }

        result = new DeviceAddress(DeviceAddressKind.SgIo, "sg", text) { Path = path };
        field = error = null;
        return true;
    }

    private static bool TryParseIscsi(string text, string rest, out DeviceAddress? result, out string? field, out string? error)
    {
        result = null;
        const string form = "iscsi://host[:port]/<target-iqn>/<lun>";
        if (!rest.StartsWith("//", StringComparison.Ordinal))
        {
            return Fail("scheme", $"iSCSI addresses look like {form}", out field, out error);
        }

        string body = rest[2..];
        int slash = body.IndexOf('/');
        string authority = slash < 0 ? body : body[..slash];
        string path = slash < 0 ? "" : body[(slash + 1)..];

        string host;
        string? portText = null;
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']');
            if (close < 0)
            {
                return Fail("host", "IPv6 address opened with '[' but not closed with ']'", out field, out error);
            }

            host = authority[1..close];
            string after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    return Fail("port", $"expected ':' after ']' in '{authority}'", out field, out error);
                }

                portText = after[1..];
            }
        }
        else
        {
            int c = authority.LastIndexOf(':');
            host = c < 0 ? authority : authority[..c];
            portText = c < 0 ? null : authority[(c + 1)..];
        }

        if (host.Length == 0)
        {
            return Fail("host", $"missing; iSCSI addresses look like {form}", out field, out error);
        }

        int port = DefaultIscsiPort;
        if (portText is not null &&
            (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            return Fail("port", $"'{portText}' is not a TCP port 1-65535 (default {DefaultIscsiPort})", out field, out error);
        }

        int lunSlash = path.LastIndexOf('/');
        string target = lunSlash < 0 ? path : path[..lunSlash];
        string lunText = lunSlash < 0 ? "" : path[(lunSlash + 1)..];
        if (target.Length == 0)
        {
            return Fail("target name", $"missing; iSCSI addresses look like {form} (list targets with `iscsiadm -m discovery -t st -p host`)", out field, out error);
        }

        if (!(target.StartsWith("iqn.", StringComparison.OrdinalIgnoreCase) || target.StartsWith("eui.", StringComparison.OrdinalIgnoreCase) ||
              target.StartsWith("naa.", StringComparison.OrdinalIgnoreCase)) || target.Contains('/') || target.Any(char.IsWhiteSpace))
        {
            return Fail("target name", $"'{target}' is not an iSCSI name (iqn.…, eui.… or naa.…, RFC 7143 §4.2.7)", out field, out error);
        }

        if (lunText.Length == 0)
        {
            return Fail("LUN", $"missing; append /<lun> (tgtd puts its disk on LUN 1): {form}", out field, out error);
        }

        if (!int.TryParse(lunText, NumberStyles.None, CultureInfo.InvariantCulture, out int lun) || lun > Commands.ScsiLun.MaxNumber)
        {
            return Fail("LUN", $"'{lunText}' is not a LUN number 0-{Commands.ScsiLun.MaxNumber}", out field, out error);
        }

        result = new DeviceAddress(DeviceAddressKind.Iscsi, "iscsi", text) { Host = host, Port = port, TargetName = target, Lun = lun };
        field = error = null;
        return true;
    }

    private static bool Fail(string f, string e, out string? field, out string? error)
    {
        field = f;
        error = e;
        return false;
    }
}
