using HwFence.Fencing.Scsi;

namespace HwFence.Fencing.Agent;

/// <summary>
/// Opens the fencing disks of one agent run, registering and preempting as <paramref name="ownKey"/>
/// (read-only actions pass a key they never send).
/// </summary>
public delegate ValueTask<IKeyFenceDevice> FenceDeviceOpener(FenceAgentOptions options, RegistrationKey ownKey, CancellationToken cancellationToken);
