using System.Text.Json;
using System.Text.Json.Serialization;
using HwFence.Cluster;
using HwFence.Detection;

namespace HwFence.Cli.Node;

/// <summary>
/// What a running node publishes twice a second in STATE_DIR/status.json (written atomically:
/// temp file + rename), read by <c>hwfence status</c>.
/// </summary>
internal sealed record NodeStatusFile(ClusterStatus Cluster, DetectorSnapshot Detector, bool SelfFenced, DateTimeOffset WrittenAt, IReadOnlyCollection<string>? PendingFailbacks = null)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };
}
