using System.Buffers.Binary;
using HwFence.Hal.Checksums;

namespace HwFence.Heartbeat.Serial;

/// <summary>Receives one deframed, CRC-checked frame; the span is valid only during the call.</summary>
public delegate void SerialFrameHandler(ReadOnlySpan<byte> frame);

/// <summary>
/// Turns the byte stream of a serial line back into frames (<see cref="SerialFraming"/>): bytes
/// are collected up to each 0x00; a block that is too long is skipped to the next delimiter before
/// anything is buffered beyond the limit; a block that is not valid COBS or whose CRC-32C fails is
/// counted and discarded. Any amount of noise, lost bytes or reads split anywhere costs at most the
/// frames they touch: the next delimiter starts afresh. Never throws, never allocates after construction.
/// </summary>
public sealed class SerialDeframer
{
    private readonly byte[] _block = new byte[SerialFraming.MaxBlockLength];
    private readonly SerialFrameHandler _handler;
    private int _length;
    private bool _skipping;

    private readonly Frames.ChannelCounters? _counters;

    public SerialDeframer(SerialFrameHandler handler, Frames.ChannelCounters? counters = null)
    {
        _handler = handler;
        _counters = counters;
    }

    /// <summary>Frames delivered to the handler.</summary>
    public long Frames { get; private set; }

    /// <summary>Blocks whose CRC-32C did not match (line noise).</summary>
    public long CrcErrors { get; private set; }

    /// <summary>Blocks that were not valid COBS or too short to hold a CRC.</summary>
    public long CobsErrors { get; private set; }

    /// <summary>Runs longer than any frame without a delimiter (noise, or a lost delimiter).</summary>
    public long Overruns { get; private set; }

    /// <summary>All framing damage.</summary>
    public long Errors => CrcErrors + CobsErrors + Overruns;

    /// <summary>Feeds bytes as read from the line, in any split.</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int delimiter = data.IndexOf(SerialFraming.Delimiter);
            ReadOnlySpan<byte> run = delimiter < 0 ? data : data[..delimiter];
            Append(run);
            if (delimiter < 0)
            {
                return;
            }

            EndOfBlock();
            data = data[(delimiter + 1)..];
        }
    }

    /// <summary>Forgets a partial block (the port was reopened).</summary>
    public void Reset()
    {
        _length = 0;
        _skipping = false;
    }

    private void Append(ReadOnlySpan<byte> run)
    {
        if (_skipping || run.IsEmpty)
        {
            return;
        }

        if (_length + run.Length > _block.Length)
        {
            Overruns++;
            _counters?.OnFramingError();
            _skipping = true; // the declared limit is checked before buffering: drop to the next delimiter
            _length = 0;
            return;
        }

        run.CopyTo(_block.AsSpan(_length));
        _length += run.Length;
    }

    private void EndOfBlock()
    {
        int length = _length;
        bool skipped = _skipping;
        _length = 0;
        _skipping = false;
        if (skipped || length == 0)
        {
            return; // the end of an overrun, or back-to-back delimiters between frames
        }

        Span<byte> block = _block.AsSpan(0, length);
        int decoded = Cobs.DecodeInPlace(block);
        if (decoded < SerialFraming.CrcLength + 1)
        {
            CobsErrors++;
            _counters?.OnFramingError();
            return;
        }

        ReadOnlySpan<byte> frame = block[..(decoded - SerialFraming.CrcLength)];
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(block[(decoded - SerialFraming.CrcLength)..]);
        if (Crc32C.Compute(frame) != crc)
        {
            CrcErrors++;
            _counters?.OnFramingError();
            return;
        }

        Frames++;
        _handler(frame);
    }
}
