using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// One decoded PDU as returned by <see cref="IscsiPduReader"/>: its BHS copied by value, and the AHS and
/// data segment (without padding and digests, both already checked) as slices of the reader's buffer —
/// valid until the buffer is advanced past them. Decode the header with e.g.
/// <c>pdu.Read&lt;DataInHeader&gt;()</c> after switching on <see cref="Opcode"/>.
/// </summary>
public struct IscsiPdu
{
    private BhsBuffer _bhs;

    /// <summary>Creates a PDU view (used by the reader and by tests).</summary>
    public IscsiPdu(ReadOnlySpan<byte> bhs, ReadOnlySequence<byte> ahs, ReadOnlySequence<byte> data)
    {
        bhs[..BasicHeaderSegment.Length].CopyTo(_bhs);
        Ahs = ahs;
        Data = data;
    }

    /// <summary>The 48-byte BHS.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> Bhs => _bhs;

    /// <summary>The AHS bytes (TotalAHSLength × 4), validated by <see cref="IscsiAhs.Validate"/>.</summary>
    public ReadOnlySequence<byte> Ahs { get; }

    /// <summary>The data segment (DataSegmentLength bytes, no padding).</summary>
    public ReadOnlySequence<byte> Data { get; }

    /// <summary>The opcode.</summary>
    public readonly IscsiOpcode Opcode => BasicHeaderSegment.GetOpcode(_bhs);

    /// <summary>The I bit.</summary>
    public readonly bool Immediate => BasicHeaderSegment.IsImmediate(_bhs);

    /// <summary>The Initiator Task Tag.</summary>
    public readonly uint InitiatorTaskTag => BasicHeaderSegment.GetInitiatorTaskTag(_bhs);

    /// <summary>Length of the data segment.</summary>
    public readonly int DataSegmentLength => (int)Data.Length;

    /// <summary>Decodes the BHS as <typeparamref name="THeader"/>; throws if the opcode differs.</summary>
    public readonly THeader Read<THeader>() where THeader : struct, IIscsiHeader<THeader>
    {
        if (Opcode != THeader.Opcode)
        {
            throw new InvalidOperationException(
                $"PDU is a {IscsiOpcodeInfo.Name(Opcode)}, not a {IscsiOpcodeInfo.Name(THeader.Opcode)}");
        }

        return THeader.Read(_bhs);
    }
}
