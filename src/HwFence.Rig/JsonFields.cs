using System.Text.Json;

namespace HwFence.Rig;

/// <summary>Non-throwing field readers for the rig's JSON lines; errors name the field.</summary>
internal static class JsonFields
{
    public static bool TryGetTime(JsonElement e, string name, out DateTimeOffset value, out string? error)
    {
        value = default;
        if (!e.TryGetProperty(name, out JsonElement p) || p.ValueKind != JsonValueKind.String || !p.TryGetDateTimeOffset(out value))
        {
            error = $"field \"{name}\": missing or not an ISO 8601 time";
            return false;
        }

        error = null;
        return true;
    }

    public static bool TryGetInt(JsonElement e, string name, out int value, out string? error)
    {
        value = 0;
        if (!e.TryGetProperty(name, out JsonElement p) || p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out value))
        {
            error = $"field \"{name}\": missing or not a 32-bit integer";
            return false;
        }

        error = null;
        return true;
    }

    public static bool TryGetULong(JsonElement e, string name, out ulong value, out string? error)
    {
        value = 0;
        if (!e.TryGetProperty(name, out JsonElement p) || p.ValueKind != JsonValueKind.Number || !p.TryGetUInt64(out value))
        {
            error = $"field \"{name}\": missing or not an unsigned integer";
            return false;
        }

        error = null;
        return true;
    }

    public static string? OptionalString(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    public static int? OptionalInt(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out int v) ? v : null;

    public static ulong? OptionalULong(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement p) && p.ValueKind == JsonValueKind.Number && p.TryGetUInt64(out ulong v) ? v : null;
}
