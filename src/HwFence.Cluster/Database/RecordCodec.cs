using System.Text.Json;
using System.Text.Json.Serialization;

namespace HwFence.Cluster.Database;

/// <summary>JSON encoding of the typed records into <see cref="ClusterRecord.Payload"/> (UTF-8, snake_case).</summary>
public static class RecordCodec
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static ClusterRecord Encode(ApplicationObject app, RecordVersion version) =>
        new(RecordKind.Application, app.Tag, version, JsonSerializer.SerializeToUtf8Bytes(app, Json));

    public static ClusterRecord Encode(NodeStatus status, RecordVersion version) =>
        new(RecordKind.NodeStatus, status.Node, version, JsonSerializer.SerializeToUtf8Bytes(status, Json));

    public static ClusterRecord Encode(ClusterSetting setting, RecordVersion version) =>
        new(RecordKind.Cluster, setting.Key, version, JsonSerializer.SerializeToUtf8Bytes(setting, Json));

    public static T Decode<T>(ClusterRecord record) =>
        JsonSerializer.Deserialize<T>(record.Payload, Json) ?? throw new InvalidDataException($"record {record.Kind}/{record.Key} v{record.Version}: empty payload");

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Json);

    public static T? Deserialize<T>(ReadOnlySpan<byte> utf8) => JsonSerializer.Deserialize<T>(utf8, Json);
}
