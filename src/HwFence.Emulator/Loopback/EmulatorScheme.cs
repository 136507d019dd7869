using HwFence.Hal.Scsi;
using HwFence.Scsi.Addressing;

namespace HwFence.Emulator.Loopback;

/// <summary>
/// Plugs <c>emu:&lt;name&gt;[/&lt;lun&gt;]</c> addresses into the Scsi layer's <see cref="ScsiTransportFactory"/>:
/// they open a <see cref="LoopbackTransport"/> onto the live <see cref="EmulatedDisk"/> of that name in
/// this process, as the initiator named in the open options (default "iqn.2026-01.org.hwfence:loopback").
/// </summary>
public static class EmulatorScheme
{
    /// <summary>The scheme name.</summary>
    public const string Scheme = "emu";

    /// <summary>Initiator name used when the opener is not told one.</summary>
    public const string DefaultInitiatorName = "iqn.2026-01.org.hwfence:loopback";

    /// <summary>Registers the <c>emu</c> scheme with <paramref name="factory"/>.</summary>
    public static void Register(ScsiTransportFactory factory) =>
        factory.RegisterScheme(Scheme, static (address, options, _) =>
            ValueTask.FromResult<IScsiTransport>(EmulatedDisk.ConnectAddress(address.Text, options.InitiatorName ?? DefaultInitiatorName, options.Isid)));
}
