using System.Buffers.Binary;
using HwFence.Heartbeat.Security;

namespace HwFence.Heartbeat.Frames;

/// <summary>
/// Encodes and checks frames (<see cref="FrameLayout"/>). Both directions work on caller-owned
/// spans and never allocate; decoding never throws — every defect maps to one
/// <see cref="DropReason"/>, so a channel's reader loop cannot be broken by what arrives on the wire.
/// </summary>
public static class FrameCodec
{
    /// <summary>
    /// Writes a complete authenticated frame into <paramref name="destination"/> and returns its
    /// length. Throws <see cref="ArgumentException"/> for caller mistakes (payload over the type's
    /// limit, buffer too small, node id out of range) — never for anything a peer sends.
    /// </summary>
    public static int Encode(in FrameHeader header, ReadOnlySpan<byte> payload, ClusterKey key, Span<byte> destination)
    {
        int max = FrameLayout.MaxPayload(header.Type);
        if (payload.Length > max)
        {
            throw new ArgumentException(
                $"{header.Type} payload of {payload.Length} bytes exceeds the {max}-byte limit of one frame; split it.", nameof(payload));
        }

        if (header.Sender is < 1 or > FrameLayout.MaxNodeId || header.Destination is < 0 or > FrameLayout.MaxNodeId)
        {
            throw new ArgumentException($"node ids must be 1–{FrameLayout.MaxNodeId} (sender {header.Sender}, destination {header.Destination}).", nameof(header));
        }

        int length = FrameLayout.Overhead + payload.Length;
        if (destination.Length < length)
        {
            throw new ArgumentException($"frame buffer of {destination.Length} bytes is smaller than the {length}-byte frame.", nameof(destination));
        }

        Span<byte> f = destination[..length];
        BinaryPrimitives.WriteUInt32BigEndian(f[FrameLayout.MagicOffset..], FrameLayout.Magic);
        f[FrameLayout.VersionOffset] = FrameLayout.Version;
        f[FrameLayout.TypeOffset] = (byte)header.Type;
        BinaryPrimitives.WriteUInt16BigEndian(f[FrameLayout.PayloadLengthOffset..], (ushort)payload.Length);
        BinaryPrimitives.WriteUInt64BigEndian(f[FrameLayout.ClusterIdOffset..], header.ClusterId);
        BinaryPrimitives.WriteUInt16BigEndian(f[FrameLayout.SenderOffset..], (ushort)header.Sender);
        BinaryPrimitives.WriteUInt16BigEndian(f[FrameLayout.DestinationOffset..], (ushort)header.Destination);
        BinaryPrimitives.WriteUInt64BigEndian(f[FrameLayout.IncarnationOffset..], header.Incarnation);
        BinaryPrimitives.WriteUInt64BigEndian(f[FrameLayout.SequenceOffset..], header.Sequence);
        BinaryPrimitives.WriteInt64BigEndian(f[FrameLayout.TimestampOffset..], header.SenderTimestampMicros);
        payload.CopyTo(f[FrameLayout.HeaderLength..]);
        int signed = FrameLayout.HeaderLength + payload.Length;
        key.ComputeTag(f[..signed], f.Slice(signed, FrameLayout.TagLength));
        return length;
    }

    /// <summary>
    /// Checks structure, version, cluster id and tag, in that order (the cheap checks first, and a
    /// foreign cluster is reported as such rather than as a bad tag). Sender/destination and the
    /// replay window are the receiver's business (<see cref="FrameReceiver"/>).
    /// </summary>
    /// <returns><see cref="DropReason.None"/> and the frame, or why it is dropped.</returns>
    public static DropReason TryDecode(ReadOnlySpan<byte> frame, ulong clusterId, ClusterKey key, out DecodedFrame decoded)
    {
        decoded = default;
        DropReason structural = TryParseUnauthenticated(frame, out FrameHeader header, out ReadOnlySpan<byte> payload);
        if (structural != DropReason.None)
        {
            return structural;
        }

        if (header.ClusterId != clusterId)
        {
            return DropReason.ForeignCluster;
        }

        int signed = FrameLayout.HeaderLength + payload.Length;
        if (!key.VerifyTag(frame[..signed], frame.Slice(signed, FrameLayout.TagLength)))
        {
            return DropReason.BadTag;
        }

        decoded = new DecodedFrame(header, payload);
        return DropReason.None;
    }

    /// <summary>
    /// The structural parse alone (no key): for diagnostics such as a capture decoder. Checks every
    /// field's range and that the declared payload length matches the bytes present exactly.
    /// </summary>
    public static DropReason TryParseUnauthenticated(ReadOnlySpan<byte> frame, out FrameHeader header, out ReadOnlySpan<byte> payload)
    {
        header = default;
        payload = default;
        if (frame.Length < FrameLayout.VersionOffset + 1)
        {
            return DropReason.Malformed; // too short to hold magic and version
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(frame) != FrameLayout.Magic)
        {
            return DropReason.Malformed;
        }

        if (frame[FrameLayout.VersionOffset] != FrameLayout.Version)
        {
            return DropReason.WrongVersion;
        }

        if (frame.Length < FrameLayout.Overhead || frame.Length > FrameLayout.MaxFrameLength)
        {
            return DropReason.Malformed; // truncated below header + tag, or larger than any frame
        }

        var type = (FrameType)frame[FrameLayout.TypeOffset];
        if (type is not (FrameType.Heartbeat or FrameType.Message))
        {
            return DropReason.Malformed;
        }

        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(frame[FrameLayout.PayloadLengthOffset..]);
        if (payloadLength > FrameLayout.MaxPayload(type) || FrameLayout.Overhead + payloadLength != frame.Length)
        {
            return DropReason.Malformed; // declared length disagrees with the bytes (truncated or padded)
        }

        int sender = BinaryPrimitives.ReadUInt16BigEndian(frame[FrameLayout.SenderOffset..]);
        ulong sequence = BinaryPrimitives.ReadUInt64BigEndian(frame[FrameLayout.SequenceOffset..]);
        if (sender == 0 || sequence == 0)
        {
            return DropReason.Malformed; // node 0 is "everyone", sequences start at 1
        }

        header = new FrameHeader(
            type,
            BinaryPrimitives.ReadUInt64BigEndian(frame[FrameLayout.ClusterIdOffset..]),
            sender,
            BinaryPrimitives.ReadUInt16BigEndian(frame[FrameLayout.DestinationOffset..]),
            BinaryPrimitives.ReadUInt64BigEndian(frame[FrameLayout.IncarnationOffset..]),
            sequence,
            BinaryPrimitives.ReadInt64BigEndian(frame[FrameLayout.TimestampOffset..]));
        payload = frame.Slice(FrameLayout.HeaderLength, payloadLength);
        return DropReason.None;
    }
}
