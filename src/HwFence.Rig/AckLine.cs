using System.Text.Json;

namespace HwFence.Rig;

/// <summary>
/// One acknowledged record, as the demo application logs it after the WRITE returned GOOD —
/// one JSON object per line:
/// <c>{"time":"2026-01-01T12:00:00.123+00:00","node":1,"incarnation":3,"seq":17,"lba":2064,"crc":3735928559}</c>.
/// </summary>
/// <param name="Time">When the ack was logged (after GOOD).</param>
/// <param name="NodeId">The writer.</param>
/// <param name="Incarnation">The writer's boot generation.</param>
/// <param name="Sequence">The record number.</param>
/// <param name="Lba">Where it was written.</param>
/// <param name="Crc">The record's CRC-32C: the exact content acknowledged.</param>
public sealed record AckLine(DateTimeOffset Time, int NodeId, ulong Incarnation, ulong Sequence, ulong Lba, uint Crc)
{
    /// <summary>Writes this ack as one JSON object (no newline).</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("time", Time);
        writer.WriteNumber("node", NodeId);
        writer.WriteNumber("incarnation", Incarnation);
        writer.WriteNumber("seq", Sequence);
        writer.WriteNumber("lba", Lba);
        writer.WriteNumber("crc", Crc);
        writer.WriteEndObject();
    }

    /// <summary>Parses one line; false with an error naming the field when it is not an ack.</summary>
    public static bool TryParse(string line, out AckLine? ack, out string? error)
    {
        ack = null;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement e = doc.RootElement;
            if (!JsonFields.TryGetTime(e, "time", out DateTimeOffset time, out error) ||
                !JsonFields.TryGetInt(e, "node", out int node, out error) ||
                !JsonFields.TryGetULong(e, "incarnation", out ulong incarnation, out error) ||
                !JsonFields.TryGetULong(e, "seq", out ulong seq, out error) ||
                !JsonFields.TryGetULong(e, "lba", out ulong lba, out error) ||
                !JsonFields.TryGetULong(e, "crc", out ulong crc, out error) || crc > uint.MaxValue)
            {
                error ??= "field \"crc\": not a 32-bit value";
                return false;
            }

            ack = new AckLine(time, node, incarnation, seq, lba, (uint)crc);
            return true;
        }
        catch (JsonException ex)
        {
            error = $"not JSON: {ex.Message}";
            return false;
        }
    }

    /// <summary>Reads a whole ack log; malformed lines are returned as errors with their line number, never skipped silently.</summary>
    public static (List<AckLine> Acks, List<string> Errors) ReadAll(TextReader reader, string source) =>
        JsonLines.ReadAll<AckLine>(reader, source, TryParse);
}
