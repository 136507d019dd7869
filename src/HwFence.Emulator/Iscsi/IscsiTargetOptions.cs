using System.Net;

namespace HwFence.Emulator.Iscsi;

/// <summary>
/// Settings of the emulator's iSCSI target (RFC 7143). Defaults are what the target offers or
/// declares at login; each names where it comes from. Check with <see cref="Validate"/>.
/// </summary>
public sealed class IscsiTargetOptions
{
    /// <summary>Listen address. Default 127.0.0.1:3260 (IANA iSCSI port, loopback only).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 3260);

    /// <summary>Binding to a non-loopback address needs this explicit opt-in (the emulator has no access control).</summary>
    public bool AllowRemote { get; init; }

    /// <summary>MaxRecvDataSegmentLength we declare: 262144 (tgtd and LIO declare the same).</summary>
    public int MaxRecvDataSegmentLength { get; init; } = 262_144;

    /// <summary>MaxBurstLength we accept at most: 1 MiB (tgtd's default max_burst_length is 256 KiB; larger bursts cut R2T round trips).</summary>
    public int MaxBurstLength { get; init; } = 1_048_576;

    /// <summary>FirstBurstLength we accept at most: 262144 (unsolicited data; LIO's default is 64 KiB, tgtd's 64 KiB).</summary>
    public int FirstBurstLength { get; init; } = 262_144;

    /// <summary>ImmediateData we support: Yes (RFC 7143 §13.11 default).</summary>
    public bool ImmediateData { get; init; } = true;

    /// <summary>InitialR2T we want: No — unsolicited Data-Out allowed (RFC default is Yes; open-iscsi offers No).</summary>
    public bool InitialR2T { get; init; }

    /// <summary>Command window: MaxCmdSN = ExpCmdSN + CommandWindow - 1. Default 128 (tgtd's default queue depth).</summary>
    public int CommandWindow { get; init; } = 128;

    /// <summary>Largest ExpectedDataTransferLength accepted for one command: 32 MiB (4 × the MAXIMUM TRANSFER LENGTH of VPD 0xB0).</summary>
    public int MaxTransferLength { get; init; } = 32 * 1024 * 1024;

    /// <summary>Idle time after which the target pings with a NOP-In: 15 s (LIO's default nopin_timeout). Zero disables.</summary>
    public TimeSpan NopInInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the initiator has to answer a NOP-In ping before the connection is dropped: 15 s (LIO nopin_response_timeout).</summary>
    public TimeSpan NopInTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Time allowed for a whole login: 15 s (open-iscsi's login timeout).</summary>
    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The portal SendTargets advertises (RFC 7143 §13.8 TargetAddress: <c>host:port</c>, IPv6 in brackets).
    /// Default null: the address the initiator's connection arrived on — right unless a NAT or port forward sits
    /// between them (e.g. a QEMU guest reaching 127.0.0.1 through slirp's guestfwd), where the initiator needs
    /// the address it dialled.
    /// </summary>
    public string? AdvertisedPortal { get; init; }

    /// <summary>Optional CHAP: when set, initiators must authenticate with this user name and secret.</summary>
    public IscsiTargetChap? Chap { get; init; }

    public void Validate()
    {
        if (!AllowRemote && !IPAddress.IsLoopback(Listen.Address))
        {
            throw new ArgumentException($"the emulator would listen on {Listen}, which is not a loopback address; pass --allow-remote (AllowRemote) to bind it deliberately");
        }

        if (MaxRecvDataSegmentLength is < 512 or > 0xFF_FFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRecvDataSegmentLength), MaxRecvDataSegmentLength, "must be 512..16777215 (RFC 7143 §13.12)");
        }

        if (MaxBurstLength is < 512 or > 0xFF_FFFF || FirstBurstLength is < 512 or > 0xFF_FFFF || FirstBurstLength > MaxBurstLength)
        {
            throw new ArgumentOutOfRangeException(nameof(FirstBurstLength), "burst lengths must be 512..16777215 and FirstBurstLength ≤ MaxBurstLength (RFC 7143 §13.13-14)");
        }

        if (AdvertisedPortal is not null && !IsPortal(AdvertisedPortal, out string? portalError))
        {
            throw new ArgumentException($"AdvertisedPortal '{AdvertisedPortal}': {portalError} — use host:port, e.g. 10.0.2.100:3260 or [fd00::1]:3260", nameof(AdvertisedPortal));
        }

        if (CommandWindow is < 1 or > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(CommandWindow), CommandWindow, "must be 1..4096");
        }
    }

    /// <summary>host:port as TargetAddress carries it: a DNS name or IPv4 address, or an IPv6 address in brackets; port 1–65535.</summary>
    internal static bool IsPortal(string text, out string? error)
    {
        error = null;
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = "no port";
            return false;
        }

        if (!ushort.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ushort port) || port == 0)
        {
            error = $"port '{text[(colon + 1)..]}' is not 1–65535";
            return false;
        }

        string host = text[..colon];
        if (host.StartsWith('['))
        {
            if (!host.EndsWith(']') || !IPAddress.TryParse(host[1..^1], out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                error = $"'{host}' is not a bracketed IPv6 address";
                return false;
            }

            return true;
        }

        if (host.Contains(':'))
        {
            error = "an IPv6 address needs brackets";
            return false;
        }

        // RFC 7143 §13.8: a domain name or an IPv4 address; no spaces, commas (the ",TPGT" separator) or control characters.
        foreach (char c in host)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-'))
            {
                error = $"host '{host}' has a character ('{c}') that is not allowed in a host name or IPv4 address";
                return false;
            }
        }

        return true;
    }
}

/// <summary>One-way CHAP credentials the target checks (RFC 7143 §12.1.3).</summary>
public sealed record IscsiTargetChap(string UserName, string Secret);
