namespace HwFence.Heartbeat.Security;

/// <summary>The cluster key file cannot be used; the message names the file and the remedy.</summary>
public sealed class ClusterKeyException(string message, Exception? inner = null) : Exception(message, inner);
