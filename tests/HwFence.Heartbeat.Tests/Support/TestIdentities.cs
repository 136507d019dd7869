using HwFence.Heartbeat.Security;

namespace HwFence.Heartbeat.Tests.Support;

internal static class TestIdentities
{
    public const ulong ClusterId = 0x4857_4643_0000_0001;

    public static readonly byte[] KeyBytes = Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 1)).ToArray();

    public static ClusterKey Key { get; } = ClusterKey.FromBytes(KeyBytes);

    public static HeartbeatIdentity Node(int nodeId, ulong incarnation = 1, ulong clusterId = ClusterId, ClusterKey? key = null) =>
        new(clusterId, nodeId, incarnation, key ?? Key);
}

/// <summary>A fixed state section, for frames that carry one.</summary>
internal sealed class FixedState(byte[] state) : IHeartbeatStateProvider
{
    public byte[] State { get; set; } = state;

    public int WriteState(Span<byte> destination)
    {
        State.CopyTo(destination);
        return State.Length;
    }
}
