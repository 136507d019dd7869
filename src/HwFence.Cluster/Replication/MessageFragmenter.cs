using System.Buffers.Binary;

namespace HwFence.Cluster.Replication;

/// <summary>
/// Splits replication messages into datagrams of at most <see cref="IClusterMessenger.MaxPayload"/>
/// bytes and reassembles them. Each fragment carries an 8-byte header:
/// <code>
///  byte 0     version (1)
///  byte 1     fragment index (0-based)
///  byte 2     fragment count (1–255)
///  byte 3     reserved (0)
///  bytes 4–7  message id (uint32, big-endian; per sender, wraps)
///  bytes 8–   fragment body
/// </code>
/// Incomplete messages are dropped after <see cref="ReassemblyTimeout"/> or when a sender has more
/// than <see cref="MaxPendingPerPeer"/> in flight; the protocol above recovers by anti-entropy.
/// </summary>
public sealed class MessageFragmenter
{
    public const int HeaderSize = 8;
    public const byte Version = 1;

    /// <summary>Incomplete messages kept per sender. 16 ≈ a burst of updates during resync.</summary>
    public const int MaxPendingPerPeer = 16;

    /// <summary>An incomplete message older than this is dropped. 5 s = several keepalives.</summary>
    public static readonly TimeSpan ReassemblyTimeout = TimeSpan.FromSeconds(5);

    private readonly IClusterMessenger _messenger;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Dictionary<(int Peer, uint Id), Pending> _pending = new();
    private uint _nextId;

    public MessageFragmenter(IClusterMessenger messenger, TimeProvider time)
    {
        if (messenger.MaxPayload <= HeaderSize)
        {
            throw new ArgumentException($"messenger MaxPayload {messenger.MaxPayload} leaves no room after the {HeaderSize}-byte fragment header");
        }

        _messenger = messenger;
        _time = time;
        _messenger.MessageReceived += OnDatagram;
    }

    /// <summary>Whole messages from peers (sender's node id, message bytes).</summary>
    public event Action<int, byte[]>? MessageReceived;

    /// <summary>Counters for status and tests.</summary>
    public long MalformedDropped { get; private set; }

    public void Send(int peer, ReadOnlySpan<byte> message)
    {
        int body = _messenger.MaxPayload - HeaderSize;
        int count = Math.Max(1, (message.Length + body - 1) / body);
        if (count > 255)
        {
            throw new ArgumentException($"replication message of {message.Length} bytes needs {count} fragments; the limit is 255 × {body} bytes — split the update");
        }

        uint id = Interlocked.Increment(ref _nextId);
        Span<byte> datagram = stackalloc byte[Math.Min(_messenger.MaxPayload, HeaderSize + message.Length)];
        for (int i = 0; i < count; i++)
        {
            var part = message.Slice(i * body, Math.Min(body, message.Length - (i * body)));
            datagram[0] = Version;
            datagram[1] = (byte)i;
            datagram[2] = (byte)count;
            datagram[3] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(datagram[4..], id);
            part.CopyTo(datagram[HeaderSize..]);
            _messenger.Send(peer, datagram[..(HeaderSize + part.Length)]);
        }
    }

    /// <summary>Non-throwing parse of one fragment header.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> datagram, out byte index, out byte count, out uint id, out string? error)
    {
        index = count = 0;
        id = 0;
        error = null;
        if (datagram.Length < HeaderSize)
        {
            error = $"fragment of {datagram.Length} bytes is shorter than the {HeaderSize}-byte header";
            return false;
        }

        if (datagram[0] != Version)
        {
            error = $"fragment version {datagram[0]} is not {Version}";
            return false;
        }

        index = datagram[1];
        count = datagram[2];
        id = BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]);
        if (count == 0 || index >= count)
        {
            error = $"fragment index {index} is not below count {count}";
            return false;
        }

        return true;
    }

    private void OnDatagram(int from, ReadOnlySpan<byte> datagram)
    {
        if (!TryReadHeader(datagram, out byte index, out byte count, out uint id, out _))
        {
            MalformedDropped++;
            return;
        }

        var body = datagram[HeaderSize..];
        if (count == 1)
        {
            MessageReceived?.Invoke(from, body.ToArray());
            return;
        }

        byte[]? whole = null;
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            Expire(now);
            if (!_pending.TryGetValue((from, id), out var p))
            {
                if (_pending.Keys.Count(k => k.Peer == from) >= MaxPendingPerPeer)
                {
                    var oldest = _pending.Where(kv => kv.Key.Peer == from).MinBy(kv => kv.Value.Started).Key;
                    _pending.Remove(oldest);
                }

                p = new Pending(count, now);
                _pending[(from, id)] = p;
            }

            if (p.Parts.Length != count)
            {
                MalformedDropped++;
                return;
            }

            p.Parts[index] ??= body.ToArray();
            if (p.Parts.All(x => x is not null))
            {
                _pending.Remove((from, id));
                whole = p.Parts.SelectMany(x => x!).ToArray();
            }
        }

        if (whole is not null)
        {
            MessageReceived?.Invoke(from, whole);
        }
    }

    private void Expire(long now)
    {
        foreach (var key in _pending.Where(kv => _time.GetElapsedTime(kv.Value.Started, now) > ReassemblyTimeout).Select(kv => kv.Key).ToList())
        {
            _pending.Remove(key);
        }
    }

    private sealed class Pending(int count, long started)
    {
        public byte[]?[] Parts { get; } = new byte[]?[count];
        public long Started { get; } = started;
    }
}
