using System.Buffers;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// Frames iSCSI PDUs out of a byte stream (RFC 7143 §11.2): BHS, AHS, header digest, data segment,
/// padding, data digest. Returns false until a whole PDU is buffered; the declared lengths are checked
/// against <see cref="IscsiPduLimits"/> as soon as the BHS is there, before the caller buffers the rest,
/// so a peer cannot make us hold 16 MiB by declaring it. Used by the initiator and the target alike.
/// </summary>
public static class IscsiPduReader
{
    /// <summary>
    /// Non-throwing core. On success advances <paramref name="buffer"/> past the PDU and returns true.
    /// Returns false with <paramref name="error"/> clear when more bytes are needed (the caller reads more
    /// and retries with the same buffer), and false with <paramref name="error"/> set when the stream is
    /// malformed (the connection must be dropped; ErrorRecoveryLevel 0, RFC 7143 §7.1).
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, in IscsiPduLimits limits, out IscsiPdu pdu, out IscsiPduError error)
    {
        pdu = default;
        error = default;
        if (buffer.Length < BasicHeaderSegment.Length)
        {
            return false;
        }

        Span<byte> bhs = stackalloc byte[BasicHeaderSegment.Length];
        buffer.Slice(0, BasicHeaderSegment.Length).CopyTo(bhs);

        var opcode = BasicHeaderSegment.GetOpcode(bhs);
        if (!IscsiOpcodeInfo.IsDefined(opcode))
        {
            error = new($"BHS byte 0: unknown opcode 0x{(byte)opcode:X2}", IscsiRejectReason.ProtocolError);
            return false;
        }

        if (IscsiOpcodeInfo.SourceOf(opcode) != limits.Source)
        {
            error = new($"BHS byte 0: opcode {IscsiOpcodeInfo.Name(opcode)} (0x{(byte)opcode:X2}) is not sent by the {limits.Source.ToString().ToLowerInvariant()}",
                IscsiRejectReason.ProtocolError);
            return false;
        }

        int ahsLength = BasicHeaderSegment.GetTotalAhsLength(bhs);
        int dataLength = BasicHeaderSegment.GetDataSegmentLength(bhs);
        if (dataLength > limits.MaxRecvDataSegmentLength)
        {
            error = new($"{IscsiOpcodeInfo.Name(opcode)}: DataSegmentLength {dataLength} exceeds MaxRecvDataSegmentLength {limits.MaxRecvDataSegmentLength}",
                IscsiRejectReason.ProtocolError);
            return false;
        }

        int headerDigest = limits.HeaderDigest ? IscsiDigest.Length : 0;
        int dataDigest = limits.DataDigest && dataLength > 0 ? IscsiDigest.Length : 0;
        int paddedData = dataLength + BasicHeaderSegment.Padding(dataLength);
        long total = BasicHeaderSegment.Length + ahsLength + headerDigest + paddedData + dataDigest;
        if (buffer.Length < total)
        {
            return false;
        }

        if (headerDigest != 0)
        {
            uint expected = IscsiDigest.Compute(buffer.Slice(0, BasicHeaderSegment.Length + ahsLength));
            Span<byte> d = stackalloc byte[IscsiDigest.Length];
            buffer.Slice(BasicHeaderSegment.Length + ahsLength, IscsiDigest.Length).CopyTo(d);
            uint actual = IscsiDigest.Read(d);
            if (actual != expected)
            {
                error = new($"{IscsiOpcodeInfo.Name(opcode)}: header digest 0x{actual:X8} does not match CRC32C 0x{expected:X8}",
                    IscsiRejectReason.ProtocolError);
                return false;
            }
        }

        ReadOnlySequence<byte> ahs = buffer.Slice(BasicHeaderSegment.Length, ahsLength);
        if (ahsLength > 0)
        {
            Span<byte> a = stackalloc byte[ahsLength];
            ahs.CopyTo(a);
            if (IscsiAhs.Validate(a) is { } ahsError)
            {
                error = new($"{IscsiOpcodeInfo.Name(opcode)}: {ahsError}", IscsiRejectReason.InvalidPduField);
                return false;
            }
        }

        long dataStart = BasicHeaderSegment.Length + ahsLength + headerDigest;
        if (dataDigest != 0)
        {
            uint expected = IscsiDigest.Compute(buffer.Slice(dataStart, paddedData));
            Span<byte> d = stackalloc byte[IscsiDigest.Length];
            buffer.Slice(dataStart + paddedData, IscsiDigest.Length).CopyTo(d);
            uint actual = IscsiDigest.Read(d);
            if (actual != expected)
            {
                error = new($"{IscsiOpcodeInfo.Name(opcode)}: data digest 0x{actual:X8} does not match CRC32C 0x{expected:X8}",
                    IscsiRejectReason.DataDigestError);
                return false;
            }
        }

        pdu = new IscsiPdu(bhs, ahs, buffer.Slice(dataStart, dataLength));
        buffer = buffer.Slice(total);
        return true;
    }

    /// <summary>
    /// Throwing edge of <see cref="TryRead(ref ReadOnlySequence{byte}, in IscsiPduLimits, out IscsiPdu, out IscsiPduError)"/>:
    /// false = need more bytes; malformed input throws <see cref="IscsiProtocolException"/> naming <paramref name="peer"/>.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, in IscsiPduLimits limits, string peer, out IscsiPdu pdu)
    {
        if (TryRead(ref buffer, limits, out pdu, out IscsiPduError error))
        {
            return true;
        }

        if (error.IsError)
        {
            throw IscsiProtocolException.Framing(peer, error);
        }

        return false;
    }

    /// <summary>
    /// How many bytes the PDU starting at <paramref name="buffer"/> occupies, once its BHS is there
    /// (-1 before). Lets a reader size its receive buffer exactly.
    /// </summary>
    public static long PeekLength(in ReadOnlySequence<byte> buffer, in IscsiPduLimits limits)
    {
        if (buffer.Length < BasicHeaderSegment.Length)
        {
            return -1;
        }

        Span<byte> bhs = stackalloc byte[BasicHeaderSegment.Length];
        buffer.Slice(0, BasicHeaderSegment.Length).CopyTo(bhs);
        return limits.WireLength(BasicHeaderSegment.GetTotalAhsLength(bhs), BasicHeaderSegment.GetDataSegmentLength(bhs));
    }
}
