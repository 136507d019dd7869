namespace HwFence.Fencing.Agent;

/// <summary>A failed agent action; the message is what the operator reads in the Pacemaker log.</summary>
public sealed class FenceAgentException(string message) : Exception(message);
