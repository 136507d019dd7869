using System.Text;
using HwFence.Cluster.Database;

namespace HwFence.Cluster.Tests.Database;

/// <summary>
/// The contract every <see cref="IClusterStore"/> backend passes (in the manner of Orleans'
/// MembershipTableTestsBase): apply-if-newer, never the reverse, atomic under concurrency.
/// </summary>
public abstract class ClusterStoreContractTests : IDisposable
{
    protected abstract IClusterStore CreateStore();

    private readonly List<IClusterStore> _stores = new();

    private IClusterStore Store()
    {
        var s = CreateStore();
        _stores.Add(s);
        return s;
    }

    private static ClusterRecord Record(string key, long term, long counter, int writer, string payload = "x", RecordKind kind = RecordKind.Application, bool deleted = false) =>
        new(kind, key, new RecordVersion(term, counter, writer), Encoding.UTF8.GetBytes(payload), deleted);

    [Fact]
    public void FirstCopyIsApplied()
    {
        var s = Store();
        Assert.Equal(ApplyOutcome.Applied, s.TryApply(Record("web", 1, 0, 1)));
        var got = s.Get(RecordKind.Application, "web")!;
        Assert.Equal(new RecordVersion(1, 0, 1), got.Version);
        Assert.Equal("x", Encoding.UTF8.GetString(got.Payload));
    }

    [Fact]
    public void NewerReplacesOlder()
    {
        var s = Store();
        s.TryApply(Record("web", 1, 0, 1, "old"));
        Assert.Equal(ApplyOutcome.Applied, s.TryApply(Record("web", 1, 1, 2, "new")));
        Assert.Equal("new", Encoding.UTF8.GetString(s.Get(RecordKind.Application, "web")!.Payload));
    }

    [Fact]
    public void OlderNeverReplacesNewer()
    {
        var s = Store();
        s.TryApply(Record("web", 2, 0, 1, "term2"));
        Assert.Equal(ApplyOutcome.Stale, s.TryApply(Record("web", 1, 99, 3, "term1-but-many-updates")));
        Assert.Equal("term2", Encoding.UTF8.GetString(s.Get(RecordKind.Application, "web")!.Payload));
    }

    [Fact]
    public void SameVersionIsDuplicateAndChangesNothing()
    {
        var s = Store();
        s.TryApply(Record("web", 1, 1, 1, "a"));
        Assert.Equal(ApplyOutcome.Duplicate, s.TryApply(Record("web", 1, 1, 1, "b")));
        Assert.Equal("a", Encoding.UTF8.GetString(s.Get(RecordKind.Application, "web")!.Payload));
    }

    [Fact]
    public void WriterBreaksTies()
    {
        var s = Store();
        s.TryApply(Record("web", 1, 1, 1, "w1"));
        Assert.Equal(ApplyOutcome.Applied, s.TryApply(Record("web", 1, 1, 2, "w2")));
        Assert.Equal(ApplyOutcome.Stale, s.TryApply(Record("web", 1, 1, 1, "w1")));
    }

    [Fact]
    public void TombstoneWinsLikeAnUpdateAndIsKept()
    {
        var s = Store();
        s.TryApply(Record("web", 1, 0, 1));
        Assert.Equal(ApplyOutcome.Applied, s.TryApply(Record("web", 1, 1, 1, deleted: true)));
        Assert.True(s.Get(RecordKind.Application, "web")!.Deleted);
        Assert.Equal(ApplyOutcome.Stale, s.TryApply(Record("web", 1, 0, 1)));
    }

    [Fact]
    public void KindsAreSeparateNamespaces()
    {
        var s = Store();
        s.TryApply(Record("alpha", 1, 0, 1, "status", RecordKind.NodeStatus));
        s.TryApply(Record("alpha", 1, 0, 1, "setting", RecordKind.Cluster));
        Assert.Null(s.Get(RecordKind.Application, "alpha"));
        Assert.Equal("status", Encoding.UTF8.GetString(s.Get(RecordKind.NodeStatus, "alpha")!.Payload));
        Assert.Single(s.List(RecordKind.Cluster));
    }

    [Fact]
    public void ListIsOrderedByKeyAndDigestCoversEverything()
    {
        var s = Store();
        foreach (var k in new[] { "c", "a", "b" })
        {
            s.TryApply(Record(k, 1, 0, 1));
        }

        s.TryApply(Record("n", 1, 0, 1, kind: RecordKind.NodeStatus));
        Assert.Equal(["a", "b", "c"], s.List(RecordKind.Application).Select(r => r.Key));
        Assert.Equal(4, s.Digest().Count);
        Assert.Contains(new RecordDigest(RecordKind.NodeStatus, "n", new RecordVersion(1, 0, 1)), s.Digest());
    }

    [Fact]
    public async Task ConcurrentWritersConvergeOnTheNewest()
    {
        var s = Store();
        var tasks = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (int c = 0; c < 50; c++)
            {
                s.TryApply(Record("hot", 1, c, w, $"{c}@{w}"));
            }
        }));
        await Task.WhenAll(tasks);
        var got = s.Get(RecordKind.Application, "hot")!;
        Assert.Equal(new RecordVersion(1, 49, 3), got.Version);
        Assert.Equal("49@3", Encoding.UTF8.GetString(got.Payload));
    }

    [Fact]
    public void PayloadIsCopiedNotAliased()
    {
        var s = Store();
        var r = Record("web", 1, 0, 1, "abc");
        s.TryApply(r);
        r.Payload[0] = (byte)'z';
        Assert.Equal("abc", Encoding.UTF8.GetString(s.Get(RecordKind.Application, "web")!.Payload));
    }

    public void Dispose()
    {
        foreach (var s in _stores)
        {
            s.Dispose();
        }

        Cleanup();
        GC.SuppressFinalize(this);
    }

    protected virtual void Cleanup()
    {
    }
}

public sealed class InMemoryClusterStoreTests : ClusterStoreContractTests
{
    protected override IClusterStore CreateStore() => new InMemoryClusterStore();
}

public sealed class SqliteClusterStoreTests : ClusterStoreContractTests
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "hwfence-sqlite-" + Guid.NewGuid().ToString("N"));

    protected override IClusterStore CreateStore() => new SqliteClusterStore(Path.Combine(_dir, $"{Guid.NewGuid():N}.db"));

    [Fact]
    public void RecordsSurviveReopening()
    {
        string path = Path.Combine(_dir, "persist.db");
        using (var s = new SqliteClusterStore(path))
        {
            s.TryApply(new ClusterRecord(RecordKind.Application, "web", new RecordVersion(3, 2, 1), [1, 2, 3]));
        }

        using var reopened = new SqliteClusterStore(path);
        var got = reopened.Get(RecordKind.Application, "web")!;
        Assert.Equal(new RecordVersion(3, 2, 1), got.Version);
        Assert.Equal([1, 2, 3], got.Payload);
        Assert.Equal(ApplyOutcome.Stale, reopened.TryApply(new ClusterRecord(RecordKind.Application, "web", new RecordVersion(3, 1, 9), [9])));
    }

    protected override void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
