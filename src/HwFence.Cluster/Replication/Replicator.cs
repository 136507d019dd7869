using System.Collections.Concurrent;
using HwFence.Cluster.Database;

namespace HwFence.Cluster.Replication;

/// <summary>
/// Keeps this node's <see cref="IClusterStore"/> converged with its peers, within the scope of
/// each record (<see cref="ReplicationScope"/>):
/// <list type="bullet">
/// <item>push: every local change goes to the record's audience (<see cref="Publish"/>);</item>
/// <item>anti-entropy: on start and after a partition heals, a digest exchange pulls what is newer
/// there and pushes what is newer here (<see cref="ResyncAsync"/>) — newer wins, never the reverse;</item>
/// <item>quorum commit: a HOST change is proposed to the group's owners and applied only when
/// enough of them accept (<see cref="ProposeAsync"/>). An acceptor promises a term per key and
/// refuses a second proposal in the same term, so two backups racing for one application cannot
/// both reach a majority (single-decree Paxos' promise, without the value-adoption phase: a
/// refused proposer gives up and re-reads the record rather than completing the other's value).</item>
/// </list>
/// Records a peer sends that this node should not hold (outside its scope) are dropped and counted.
/// </summary>
public sealed class Replicator : IDisposable
{
    private readonly int _self;
    private readonly ReplicationScope _scope;
    private readonly IClusterStore _store;
    private readonly MessageFragmenter _fragmenter;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Dictionary<(RecordKind, string), long> _promised = new();
    private readonly ConcurrentDictionary<long, PendingProposal> _proposals = new();
    private readonly Dictionary<int, List<TaskCompletionSource>> _resyncWaiters = new();
    private long _nextProposal;

    public Replicator(int localNodeId, ReplicationScope scope, IClusterStore store, IClusterMessenger messenger, TimeProvider time)
    {
        _self = localNodeId;
        _scope = scope;
        _store = store;
        _time = time;
        _fragmenter = new MessageFragmenter(messenger, time);
        _fragmenter.MessageReceived += OnMessage;
    }

    /// <summary>Raised after a record from a peer replaced the local copy.</summary>
    public event Action<ClusterRecord>? RecordApplied;

    /// <summary>Raised for protocol problems (malformed message, out-of-scope record), naming the peer.</summary>
    public event Action<string>? ProtocolError;

    public long OutOfScopeDropped { get; private set; }

    public int LocalNodeId => _self;

    public ReplicationScope Scope => _scope;

    /// <summary>Sends a record already applied locally to the rest of its audience.</summary>
    public void Publish(ClusterRecord record)
    {
        var message = new ReplicationMessage { Type = ReplicationMessageType.Update, Records = [record] }.Encode();
        foreach (int peer in _scope.AudienceOf(record))
        {
            if (peer != _self)
            {
                _fragmenter.Send(peer, message);
            }
        }
    }

    /// <summary>Peers that share at least one record kind with this node (every node: cluster records go to all).</summary>
    public IEnumerable<int> Peers => _scope.AllNodes.Where(n => n != _self);

    /// <summary>
    /// Anti-entropy with <paramref name="peers"/>: sends each the digest of what the two share and
    /// completes when every one has answered (true) or at <paramref name="timeout"/> (false; the
    /// caller decides whether to act on what it has).
    /// </summary>
    public async Task<bool> ResyncAsync(IReadOnlyCollection<int> peers, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var waits = new List<Task>();
        foreach (int peer in peers.Where(p => p != _self))
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                if (!_resyncWaiters.TryGetValue(peer, out var list))
                {
                    _resyncWaiters[peer] = list = new List<TaskCompletionSource>();
                }

                list.Add(tcs);
            }

            waits.Add(tcs.Task);
        }

        foreach (int peer in peers.Where(p => p != _self))
        {
            SendDigest(peer);
        }

        var all = Task.WhenAll(waits);
        if (all.IsCompleted)
        {
            return true;
        }

        var delay = Task.Delay(timeout, _time, cancellationToken);
        return await Task.WhenAny(all, delay).ConfigureAwait(false) == all;
    }

    /// <summary>Sends one peer the digest of the records both should hold (starts an anti-entropy round).</summary>
    public void SendDigest(int peer)
    {
        var digests = _store.Digest().Where(d => SharedWith(peer, d)).ToList();
        _fragmenter.Send(peer, new ReplicationMessage { Type = ReplicationMessageType.Digest, Digests = digests }.Encode());
    }

    /// <summary>The highest term this node has promised (or stored) for a key; a new proposal must exceed it.</summary>
    public long PromisedTerm(RecordKind kind, string key)
    {
        lock (_gate)
        {
            long promised = _promised.GetValueOrDefault((kind, key));
            return Math.Max(promised, _store.Get(kind, key)?.Version.Term ?? 0);
        }
    }

    /// <summary>
    /// Proposes <paramref name="record"/> to <paramref name="owners"/> (this node included, which
    /// votes first) and waits until <paramref name="needed"/> accepted, everyone answered, or the
    /// timeout. Does not apply anything: the caller commits with <see cref="Commit"/> when satisfied.
    /// </summary>
    /// <param name="basedOn">
    /// The version the proposer decided on; every acceptor (this node first) refuses when it holds
    /// a newer one. Any two majorities share an acceptor, so two owners deciding on the same old
    /// record (both saw HOST dead) cannot both commit: the second finds the first's commit.
    /// </param>
    public async Task<ProposeResult> ProposeAsync(ClusterRecord record, IReadOnlyList<int> owners, int needed, TimeSpan timeout, CancellationToken cancellationToken = default, RecordVersion? basedOn = null)
    {
        long id = Interlocked.Increment(ref _nextProposal);
        var pending = new PendingProposal(owners.Where(o => o != _self).ToList(), Math.Max(0, needed - 1));
        var (selfOk, selfPromised, selfReason) = Accept(record, basedOn);
        if (!selfOk)
        {
            return new ProposeResult([], [_self], [], selfPromised, [$"{_scope.NameOf(_self)}: {selfReason}"]);
        }

        _proposals[id] = pending;
        try
        {
            var message = new ReplicationMessage { Type = ReplicationMessageType.Propose, ProposalId = id, Records = [record], BasedOn = basedOn }.Encode();
            foreach (int peer in pending.Peers)
            {
                _fragmenter.Send(peer, message);
            }

            if (pending.Peers.Count == 0 || pending.Needed == 0)
            {
                pending.Done.TrySetResult();
            }

            if (!pending.Done.Task.IsCompleted)
            {
                var delay = Task.Delay(timeout, _time, cancellationToken);
                await Task.WhenAny(pending.Done.Task, delay).ConfigureAwait(false);
            }

            lock (pending)
            {
                var accepted = pending.Accepted.Prepend(_self).ToList();
                var silent = pending.Peers.Except(pending.Accepted).Except(pending.Refused).ToList();
                return new ProposeResult(accepted, pending.Refused.ToList(), silent, Math.Max(selfPromised, pending.HighestPromised), pending.Reasons.ToList());
            }
        }
        finally
        {
            _proposals.TryRemove(id, out _);
        }
    }

    /// <summary>Applies a record this node decided (after a quorum) and pushes it to its audience.</summary>
    public ApplyOutcome Commit(ClusterRecord record)
    {
        var outcome = _store.TryApply(record);
        if (outcome == ApplyOutcome.Applied)
        {
            Publish(record);
        }

        return outcome;
    }

    private (bool Ok, long Promised, string? Reason) Accept(ClusterRecord record, RecordVersion? basedOn = null)
    {
        lock (_gate)
        {
            var key = (record.Kind, record.Key);
            long promised = _promised.GetValueOrDefault(key);
            var current = _store.Get(record.Kind, record.Key)?.Version ?? RecordVersion.Zero;
            if (record.Version <= current)
            {
                return (false, Math.Max(promised, current.Term), $"holds {record.Kind}/{record.Key} at v{current}, not older than the proposed v{record.Version}");
            }

            if (basedOn is { } b && current > b)
            {
                return (false, Math.Max(promised, current.Term), $"holds {record.Kind}/{record.Key} at v{current}, newer than v{b} the proposal was decided on: it changed meanwhile");
            }

            if (record.Version.Term <= promised)
            {
                return (false, promised, $"already promised term {promised} for {record.Kind}/{record.Key} to another proposer");
            }

            _promised[key] = record.Version.Term;
            return (true, record.Version.Term, null);
        }
    }

    private bool SharedWith(int peer, RecordDigest d)
    {
        var record = _store.Get(d.Kind, d.Key);
        return record is not null && _scope.ShouldHold(peer, record);
    }

    private void OnMessage(int from, byte[] payload)
    {
        if (!ReplicationMessage.TryDecode(payload, out var message, out string? error))
        {
            ProtocolError?.Invoke($"replication message from {_scope.NameOf(from)} dropped: {error}");
            return;
        }

        switch (message!.Type)
        {
            case ReplicationMessageType.Update:
                foreach (var record in message.Records!)
                {
                    ApplyRemote(from, record);
                }

                break;
            case ReplicationMessageType.Digest:
                OnDigest(from, message.Digests!);
                break;
            case ReplicationMessageType.DigestReply:
                foreach (var need in message.Need ?? [])
                {
                    if (_store.Get(need.Kind, need.Key) is { } record && _scope.ShouldHold(from, record))
                    {
                        _fragmenter.Send(from, new ReplicationMessage { Type = ReplicationMessageType.Update, Records = [record] }.Encode());
                    }
                }

                List<TaskCompletionSource>? waiters;
                lock (_gate)
                {
                    _resyncWaiters.Remove(from, out waiters);
                }

                foreach (var waiter in waiters ?? [])
                {
                    waiter.TrySetResult();
                }

                break;
            case ReplicationMessageType.Propose:
                var proposed = message.Records![0];
                if (!_scope.ShouldHold(_self, proposed))
                {
                    OutOfScopeDropped++;
                    return;
                }

                var (ok, promised, reason) = Accept(proposed, message.BasedOn);
                _fragmenter.Send(from, new ReplicationMessage { Type = ReplicationMessageType.Ack, ProposalId = message.ProposalId, Accepted = ok, PromisedTerm = promised, Reason = reason }.Encode());
                break;
            case ReplicationMessageType.Ack:
                if (_proposals.TryGetValue(message.ProposalId, out var pending))
                {
                    pending.OnAck(from, message.Accepted, message.PromisedTerm, message.Reason is null ? null : $"{_scope.NameOf(from)}: {message.Reason}");
                }

                break;
        }
    }

    private void OnDigest(int from, IReadOnlyList<RecordDigest> theirs)
    {
        var theirVersions = theirs.ToDictionary(d => (d.Kind, d.Key), d => d.Version);
        foreach (var mine in _store.Digest())
        {
            if (theirVersions.TryGetValue((mine.Kind, mine.Key), out var v) && v >= mine.Version)
            {
                continue;
            }

            if (_store.Get(mine.Kind, mine.Key) is { } record && _scope.ShouldHold(from, record))
            {
                _fragmenter.Send(from, new ReplicationMessage { Type = ReplicationMessageType.Update, Records = [record] }.Encode());
            }
        }

        var need = theirs.Where(d => (_store.Get(d.Kind, d.Key)?.Version ?? RecordVersion.Zero) < d.Version).ToList();
        _fragmenter.Send(from, new ReplicationMessage { Type = ReplicationMessageType.DigestReply, Need = need }.Encode());
    }

    private void ApplyRemote(int from, ClusterRecord record)
    {
        if (!_scope.ShouldHold(_self, record))
        {
            OutOfScopeDropped++;
            ProtocolError?.Invoke($"{_scope.NameOf(from)} sent {record.Kind}/{record.Key}, which {_scope.NameOf(_self)} does not hold (outside its resource groups); dropped");
            return;
        }

        if (_store.TryApply(record) == ApplyOutcome.Applied)
        {
            RecordApplied?.Invoke(record);
        }
    }

    public void Dispose()
    {
        foreach (var p in _proposals.Values)
        {
            p.Done.TrySetResult();
        }
    }

    private sealed class PendingProposal(List<int> peers, int needed)
    {
        public List<int> Peers { get; } = peers;
        public int Needed { get; } = needed;
        public HashSet<int> Accepted { get; } = new();
        public HashSet<int> Refused { get; } = new();
        public List<string> Reasons { get; } = new();
        public long HighestPromised { get; private set; }
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnAck(int from, bool accepted, long promised, string? reason)
        {
            lock (this)
            {
                if (!Peers.Contains(from) || Accepted.Contains(from) || Refused.Contains(from))
                {
                    return;
                }

                (accepted ? Accepted : Refused).Add(from);
                HighestPromised = Math.Max(HighestPromised, promised);
                if (reason is not null)
                {
                    Reasons.Add(reason);
                }

                if (Accepted.Count >= Needed || Accepted.Count + Refused.Count == Peers.Count)
                {
                    Done.TrySetResult();
                }
            }
        }
    }
}
