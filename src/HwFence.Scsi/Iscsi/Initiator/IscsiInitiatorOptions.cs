using System.Net;

namespace HwFence.Scsi.Iscsi;

/// <summary>
/// Settings of one iSCSI initiator session. <see cref="InitiatorName"/> and <see cref="Isid"/> together
/// form the SCSI initiator port name (RFC 7143 §10.1: "name,i,0xISID") that SPC-2 reservations and PR
/// registrations belong to — two nodes must differ, one node must keep them across restarts.
/// Defaults follow open-iscsi's iscsid.conf where RFC 7143 leaves the choice open. Check with
/// <see cref="IscsiInitiatorOptionsValidator"/>.
/// </summary>
public sealed record IscsiInitiatorOptions
{
    /// <summary>iSCSI name of this initiator (iqn./eui./naa. format, §4.2.7). Default: iqn.2026-01.org.hwfence:&lt;host name&gt;.</summary>
    public string InitiatorName { get; init; } = DefaultInitiatorName();

    /// <summary>Optional InitiatorAlias sent at login (§13.7); default none.</summary>
    public string? InitiatorAlias { get; init; }

    /// <summary>
    /// The 48-bit ISID (§11.12.5). Null (default) derives a "random" type (T=10b) ISID from
    /// <see cref="InitiatorName"/>, so the same name always gets the same ISID and a restarted node
    /// re-creates the same I_T nexus. Reconnects always reuse it (session reinstatement, §6.3.5).
    /// </summary>
    public ulong? Isid { get; init; }

    /// <summary>CHAP credentials; null (default) logs in with AuthMethod=None.</summary>
    public IscsiChapCredentials? Chap { get; init; }

    /// <summary>HeaderDigest offer; default None (open-iscsi default; loopback/LAN TCP checksums suffice).</summary>
    public IscsiDigestMode HeaderDigest { get; init; } = IscsiDigestMode.None;

    /// <summary>DataDigest offer; default None (open-iscsi default).</summary>
    public IscsiDigestMode DataDigest { get; init; } = IscsiDigestMode.None;

    /// <summary>Largest data segment we accept per PDU: 262144 (open-iscsi's MaxRecvDataSegmentLength).</summary>
    public int MaxRecvDataSegmentLength { get; init; } = 262_144;

    /// <summary>FirstBurstLength offer: 65536 (RFC 7143 §13.14 default, open-iscsi default).</summary>
    public int FirstBurstLength { get; init; } = 65_536;

    /// <summary>MaxBurstLength offer: 262144 (RFC 7143 §13.13 default, open-iscsi default).</summary>
    public int MaxBurstLength { get; init; } = 262_144;

    /// <summary>ImmediateData offer: Yes (RFC default; saves a round trip on PR OUT and WRITE).</summary>
    public bool ImmediateData { get; init; } = true;

    /// <summary>InitialR2T offer: No (open-iscsi default; allows unsolicited Data-Out up to FirstBurstLength).</summary>
    public bool InitialR2T { get; init; }

    /// <summary>DefaultTime2Wait offer in seconds: 2 (RFC 7143 §13.15 default).</summary>
    public int DefaultTime2Wait { get; init; } = 2;

    /// <summary>DefaultTime2Retain offer in seconds: 0 — at ErrorRecoveryLevel 0 no task survives a drop (open-iscsi offers 0).</summary>
    public int DefaultTime2Retain { get; init; }

    /// <summary>Login (connect + full login) time limit: 15 s (open-iscsi node.conn[0].timeo.login_timeout).</summary>
    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Logout time limit: 15 s (open-iscsi logout_timeout).</summary>
    public TimeSpan LogoutTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Task management (ABORT TASK, LU RESET, TARGET WARM RESET) time limit: 15 s (open-iscsi abort_timeout).</summary>
    public TimeSpan TaskManagementTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Idle time after which a keepalive NOP-Out is sent: 5 s (open-iscsi noop_out_interval). Zero disables.</summary>
    public TimeSpan NopInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time a NOP-Out may wait for its NOP-In before the connection is declared dead: 5 s (open-iscsi noop_out_timeout).</summary>
    public TimeSpan NopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether a lost connection is re-established (same ISID) automatically. Default true.</summary>
    public bool Reconnect { get; init; } = true;

    /// <summary>Delay before the first reconnect attempt: 500 ms (shorter than DefaultTime2Wait so a fenced path is noticed quickly).</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Cap of the doubling delay between reconnect attempts: 5 s.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Commands in flight at once per session: 128 (open-iscsi's default cmds_max).</summary>
    public int MaxCommandsInFlight { get; init; } = 128;

    /// <summary>
    /// How long a command that finds no other reader waits for its answer on its caller's own thread —
    /// in poll(2) on the socket, reading and handling the answer itself — before the session's receive
    /// thread takes over: 10 ms. A command alone in flight (the common case for fencing and heartbeat
    /// I/O) then costs one send(2) and one blocking recv(2) (bounded by SO_RCVTIMEO) and no thread
    /// hand-off — libiscsi's synchronous API needs four system calls (bench/results/iscsi-qd1.md). 10 ms
    /// covers tgtd's answer on loopback even on an overloaded machine (p99 about 2 ms with 2 cores at
    /// load 24; a late answer costs two extra thread wake-ups, just when the machine can least afford
    /// them), while bounding how long a thread-pool thread blocks when the target is slow. Zero
    /// disables: every answer then comes from the receive thread.
    /// </summary>
    public TimeSpan SynchronousWait { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Whether a command's continuation runs directly on the session's receive thread (answers that the
    /// caller does not read itself, see <see cref="SynchronousWait"/>). Default false: the caller's code
    /// resumes on the thread pool, so it can never stall the reception of other answers. True saves a
    /// thread hop per command when several are in flight but is safe only for callers that never block
    /// after an await.
    /// </summary>
    public bool InlineCompletions { get; init; }

    /// <summary>Clock for every timeout and keepalive; tests inject a fake.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The ISID in use: <see cref="Isid"/> or the one derived from <see cref="InitiatorName"/>.</summary>
    public ulong EffectiveIsid => Isid ?? DeriveIsid(InitiatorName);

    /// <summary>
    /// A "Random" format ISID (§11.12.5, T=10b in the top two bits) from a stable hash (FNV-1a) of the
    /// initiator name.
    /// </summary>
    public static ulong DeriveIsid(string initiatorName)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in initiatorName)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return 0x80_0000_0000_00UL | ((h ^ (h >> 24)) & 0x3F_FFFF_FFFF_FFUL);
    }

    private static string DefaultInitiatorName()
    {
        string host = Dns.GetHostName().ToLowerInvariant();
        var chars = host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '-').ToArray();
        return "iqn.2026-01.org.hwfence:" + new string(chars);
    }
}
