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

        if (CommandWindow is < 1 or > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(CommandWindow), CommandWindow, "must be 1..4096");
        }
    }
}

/// <summary>One-way CHAP credentials the target checks (RFC 7143 §12.1.3).</summary>
public sealed record IscsiTargetChap(string UserName, string Secret);
