namespace HwFence.Heartbeat.DrivePulse;

/// <summary>The drive pulse cannot run on a disk (uninitialised, another cluster's, a command failed); the message names the disk and the remedy.</summary>
public sealed class DrivePulseException(string message, Exception? inner = null) : Exception(message, inner);
