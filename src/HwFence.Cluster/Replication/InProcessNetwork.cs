namespace HwFence.Cluster.Replication;

/// <summary>
/// An in-process LAN for tests and the single-process demo: one <see cref="IClusterMessenger"/>
/// per node, links that can be cut (partition) and healed. Delivery is synchronous but never
/// re-entrant: a send made while a message is being delivered is queued and delivered by the
/// outermost send, in order, so a whole exchange (propose → acks → commit) completes within the
/// first call — deterministic timelines without threads.
/// </summary>
public sealed class InProcessNetwork
{
    private readonly object _gate = new();
    private readonly Dictionary<int, Endpoint> _endpoints = new();
    private readonly HashSet<(int, int)> _cut = new();
    private readonly Queue<(int From, int To, byte[] Payload)> _queue = new();
    private bool _delivering;

    /// <summary>Datagram size limit of every endpoint (the LAN channel's).</summary>
    public int MaxPayload { get; init; } = 1200;

    /// <summary>Total datagrams delivered, for tests that check traffic.</summary>
    public long Delivered { get; private set; }

    /// <summary>Every delivered datagram (from, to), for scope tests.</summary>
    public List<(int From, int To)> Log { get; } = new();

    public IClusterMessenger Join(int nodeId)
    {
        lock (_gate)
        {
            var e = new Endpoint(this, nodeId);
            _endpoints[nodeId] = e;
            return e;
        }
    }

    /// <summary>Cuts the link between two nodes in both directions.</summary>
    public void Cut(int a, int b)
    {
        lock (_gate)
        {
            _cut.Add((a, b));
            _cut.Add((b, a));
        }
    }

    /// <summary>Isolates a node from every other (a crashed or unplugged node).</summary>
    public void Isolate(int node)
    {
        lock (_gate)
        {
            foreach (var other in _endpoints.Keys.Where(k => k != node))
            {
                _cut.Add((node, other));
                _cut.Add((other, node));
            }
        }
    }

    public void HealAll()
    {
        lock (_gate)
        {
            _cut.Clear();
        }
    }

    private void Send(int from, int to, ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            if (_cut.Contains((from, to)) || !_endpoints.ContainsKey(to))
            {
                return;
            }

            _queue.Enqueue((from, to, payload.ToArray()));
            if (_delivering)
            {
                return;
            }

            _delivering = true;
        }

        try
        {
            while (true)
            {
                (int From, int To, byte[] Payload) next;
                Endpoint? target;
                lock (_gate)
                {
                    if (!_queue.TryDequeue(out next))
                    {
                        _delivering = false;
                        return;
                    }

                    target = _cut.Contains((next.From, next.To)) ? null : _endpoints.GetValueOrDefault(next.To);
                    if (target is not null)
                    {
                        Delivered++;
                        Log.Add((next.From, next.To));
                    }
                }

                target?.Deliver(next.From, next.Payload);
            }
        }
        catch
        {
            lock (_gate)
            {
                _delivering = false;
                _queue.Clear();
            }

            throw;
        }
    }

    private sealed class Endpoint(InProcessNetwork network, int nodeId) : IClusterMessenger
    {
        public int MaxPayload => network.MaxPayload;

        public event MessageHandler? MessageReceived;

        public void Send(int peerNodeId, ReadOnlySpan<byte> payload)
        {
            if (payload.Length > MaxPayload)
            {
                throw new ArgumentException($"payload of {payload.Length} bytes exceeds the LAN channel limit of {MaxPayload}");
            }

            network.Send(nodeId, peerNodeId, payload);
        }

        public void Deliver(int from, byte[] payload) => MessageReceived?.Invoke(from, payload);
    }
}
