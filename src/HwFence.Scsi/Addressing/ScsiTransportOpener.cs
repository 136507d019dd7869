using HwFence.Hal.Scsi;

namespace HwFence.Scsi.Addressing;

/// <summary>Opens a transport for a parsed address; registered per scheme with <see cref="ScsiTransportFactory.RegisterScheme"/>.</summary>
public delegate ValueTask<IScsiTransport> ScsiTransportOpener(DeviceAddress address, ScsiTransportOpenOptions options, CancellationToken cancellationToken);
