using System.Globalization;
using System.Text.Json;
using HwFence.Emulator.Nexus;
using HwFence.Scsi.PersistentReservations;

namespace HwFence.Emulator.Reservations;

/// <summary>
/// The APTPL file format: a small JSON document (one per logical unit), readable by an operator.
/// <code>
/// { "version": 1, "generation": 7,
///   "registrations": [ { "initiator": "iqn…", "isid": "0x23d000000001", "targetPort": 1, "allTgPt": false, "key": "0x…" } ],
///   "reservation": { "holder": 0, "type": 5 } }          // "reservation": null when none
/// </code>
/// </summary>
public static class AptplStateSerializer
{
    public static byte[] Serialize(PersistentReservationState state)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteNumber("generation", state.Generation);
            w.WriteStartArray("registrations");
            foreach (var r in state.Registrations)
            {
                w.WriteStartObject();
                w.WriteString("initiator", r.Initiator.Name);
                w.WriteString("isid", "0x" + r.Initiator.Isid.ToString("x12", CultureInfo.InvariantCulture));
                w.WriteNumber("targetPort", r.RelativeTargetPortId);
                w.WriteBoolean("allTgPt", r.AllTargetPorts);
                w.WriteString("key", "0x" + r.Key.ToString("x16", CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (state.Holder is { } holder)
            {
                w.WriteStartObject("reservation");
                w.WriteNumber("holder", IndexOf(state.Registrations, holder));
                w.WriteNumber("type", (byte)state.Type);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("reservation");
            }

            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    /// <summary>Non-throwing parse; the error names the field that is wrong.</summary>
    public static bool TryDeserialize(ReadOnlySpan<byte> data, out uint generation, out List<Registration> registrations,
        out int holder, out PersistentReservationType type, out string? error)
    {
        generation = 0;
        registrations = new List<Registration>();
        holder = -1;
        type = 0;
        try
        {
            var reader = new Utf8JsonReader(data);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (!root.TryGetProperty("generation", out var g) || !g.TryGetUInt32(out generation))
            {
                error = "field 'generation' missing or not a 32-bit unsigned number";
                return false;
            }

            if (!root.TryGetProperty("registrations", out var regs) || regs.ValueKind != JsonValueKind.Array)
            {
                error = "field 'registrations' missing or not an array";
                return false;
            }

            int i = 0;
            foreach (var r in regs.EnumerateArray())
            {
                string? name = r.TryGetProperty("initiator", out var n) ? n.GetString() : null;
                if (string.IsNullOrEmpty(name)
                    || !TryHex(r, "isid", out ulong isid) || !TryHex(r, "key", out ulong key)
                    || !r.TryGetProperty("targetPort", out var tp) || !tp.TryGetUInt16(out ushort port)
                    || !r.TryGetProperty("allTgPt", out var all) || all.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    error = $"registrations[{i}] needs initiator, isid, targetPort, allTgPt and key";
                    return false;
                }

                registrations.Add(new Registration(new InitiatorPortId(name, isid), port, all.GetBoolean(), key));
                i++;
            }

            if (root.TryGetProperty("reservation", out var res) && res.ValueKind == JsonValueKind.Object)
            {
                if (!res.TryGetProperty("holder", out var h) || !h.TryGetInt32(out holder) || holder < 0 || holder >= registrations.Count
                    || !res.TryGetProperty("type", out var t) || !t.TryGetByte(out byte tb)
                    || !PersistentReservationTypeNames.IsDefined((PersistentReservationType)tb))
                {
                    error = "reservation needs 'holder' (index into registrations) and a defined 'type'";
                    return false;
                }

                type = (PersistentReservationType)tb;
            }

            error = null;
            return true;
        }
        catch (JsonException e)
        {
            error = "not valid JSON: " + e.Message;
            return false;
        }
    }

    private static bool TryHex(JsonElement e, string name, out ulong value)
    {
        value = 0;
        string? s = e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        return s is not null && s.StartsWith("0x", StringComparison.Ordinal)
            && ulong.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
    }

    private static int IndexOf(IReadOnlyList<Registration> list, Registration r)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], r))
            {
                return i;
            }
        }

        return -1;
    }
}
