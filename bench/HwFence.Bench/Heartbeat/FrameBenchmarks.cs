using BenchmarkDotNet.Attributes;
using HwFence.Heartbeat;
using HwFence.Heartbeat.Frames;
using HwFence.Heartbeat.Security;
using HwFence.Heartbeat.Serial;

namespace HwFence.Bench.Heartbeat;

/// <summary>
/// Per-frame cost of the heartbeat codec: encode + HMAC-SHA256, decode + verify, the whole receive
/// path (replay window, sink), and the serial framing (CRC-32C + COBS both ways). The memory
/// diagnoser's "Allocated" column must read "-" (zero) for every row: the hot path allocates nothing.
/// <c>dotnet run -c Release --project bench/HwFence.Bench -- --filter *FrameBenchmarks*</c>
/// </summary>
[MemoryDiagnoser]
public class FrameBenchmarks
{
    private readonly byte[] _frame = new byte[FrameLayout.MaxFrameLength];
    private readonly byte[] _wire = new byte[SerialFraming.MaxWireLength];
    private FrameSender _sender = null!;
    private FrameReceiver _receiver = null!;
    private SerialDeframer _deframer = null!;
    private HeartbeatIdentity _peer = null!;
    private int _length;
    private int _wireLength;

    /// <summary>State section size: 0, the 64 bytes a typical cluster manager sends, and the 256-byte maximum.</summary>
    [Params(0, 64, 256)]
    public int StateBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var key = ClusterKey.FromBytes(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        var time = TimeProvider.System;
        _peer = new HeartbeatIdentity(7, 2, 1, key);
        _sender = new FrameSender(_peer, new State(StateBytes), time);
        _receiver = new FrameReceiver(new HeartbeatIdentity(7, 1, 1, key), PathId.Lan("bench"), new ChannelCallbacks(new NullSink()), new ChannelCounters(), time);
        _deframer = new SerialDeframer(static _ => { });
        _length = _sender.EncodeHeartbeat(_frame);
        _wireLength = SerialFraming.Encode(_frame.AsSpan(0, _length), _wire);
    }

    [Benchmark(Description = "encode + HMAC")]
    public int Encode() => _sender.EncodeHeartbeat(_frame);

    [Benchmark(Description = "decode + verify HMAC")]
    public DropReason Decode() => FrameCodec.TryDecode(_frame.AsSpan(0, _length), 7, _peer.Key, out _);

    [Benchmark(Description = "encode + HMAC + receive (decode, verify, window, sink)")]
    public DropReason RoundTrip() => _receiver.Receive(_frame.AsSpan(0, _sender.EncodeHeartbeat(_frame)));

    [Benchmark(Description = "serial framing: CRC-32C + COBS encode + deframe")]
    public long SerialFraming_()
    {
        int n = SerialFraming.Encode(_frame.AsSpan(0, _length), _wire);
        _deframer.Feed(_wire.AsSpan(0, n));
        return _deframer.Frames + _wireLength;
    }

    private sealed class State(int length) : IHeartbeatStateProvider
    {
        public int WriteState(Span<byte> destination)
        {
            destination[..length].Fill(0x5A);
            return length;
        }
    }

    private sealed class NullSink : IHeartbeatSink
    {
        public void OnHeartbeat(in HeartbeatReceipt receipt)
        {
        }

        public void OnLocalPathState(PathId path, bool usable, string? reason)
        {
        }
    }
}
