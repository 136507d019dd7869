namespace HwFence.Heartbeat;

/// <summary>
/// Names one path: <c>lan:&lt;addr&gt;</c>, <c>serial:&lt;tty&gt;</c>, <c>disk:&lt;device&gt;</c>.
/// </summary>
public readonly record struct PathId(PathKind Kind, string Name)
{
    public static PathId Lan(string address) => new(PathKind.Lan, address);
    public static PathId Serial(string tty) => new(PathKind.Serial, tty);
    public static PathId Disk(string device) => new(PathKind.Disk, device);

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}:{Name}";

    /// <summary>Parses the <see cref="ToString"/> form.</summary>
    public static bool TryParse(string text, out PathId path)
    {
        path = default;
        int colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }

        PathKind? kind = text[..colon] switch
        {
            "lan" => PathKind.Lan,
            "serial" => PathKind.Serial,
            "disk" => PathKind.Disk,
            _ => null,
        };
        if (kind is null)
        {
            return false;
        }

        path = new PathId(kind.Value, text[(colon + 1)..]);
        return true;
    }
}
