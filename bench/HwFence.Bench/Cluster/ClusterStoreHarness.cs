using System.Diagnostics;
using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;
using HwFence.Cluster.Replication;

namespace HwFence.Bench.Cluster;

/// <summary>
/// <c>dotnet run -c Release --project bench/HwFence.Bench -- harness cluster [count]</c>: apply-if-newer throughput of the
/// SQLite store (synchronous=FULL, one fsync per record) and of the in-memory store, and the cost of one
/// HOST quorum commit (propose → 2 accepts → commit) among three replicators on the in-process LAN.
/// Figures only; nothing asserts on them.
/// </summary>
internal static class ClusterStoreHarness
{
    public static int Run(string[] args)
    {
        int count = args.Length > 0 && int.TryParse(args[0], out int n) ? n : 2000;
        string dir = Directory.CreateTempSubdirectory("hwfence-bench-").FullName;
        try
        {
            using (var sqlite = new SqliteClusterStore(Path.Combine(dir, "bench.db")))
            {
                Report("sqlite apply", count, Apply(sqlite, count));
            }

            using (var memory = new InMemoryClusterStore())
            {
                Report("in-memory apply", count * 10, Apply(memory, count * 10));
            }

            Report("quorum commit (3 owners)", count, QuorumCommits(count));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static TimeSpan Apply(IClusterStore store, int count)
    {
        byte[] payload = new byte[300];
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            store.TryApply(new ClusterRecord(RecordKind.Application, $"app{i % 50}", new RecordVersion(1, i, 1), payload));
        }

        return sw.Elapsed;
    }

    private static TimeSpan QuorumCommits(int count)
    {
        var config = new ClusterConfig
        {
            Name = "bench", Id = 1, KeyFile = "/k",
            Nodes = [new NodeConfig { Id = 1, Name = "a" }, new NodeConfig { Id = 2, Name = "b" }, new NodeConfig { Id = 3, Name = "c" }],
            Groups = [new ResourceGroupConfig { Name = "g", Owners = ["a", "b", "c"] }],
        };
        var net = new InProcessNetwork();
        var scope = new ReplicationScope(config);
        var stores = Enumerable.Range(1, 3).Select(_ => new InMemoryClusterStore()).ToArray();
        var replicators = Enumerable.Range(1, 3).Select(i => new Replicator(i, scope, stores[i - 1], net.Join(i), TimeProvider.System)).ToArray();
        var db = new ClusterDatabase(stores[0], 1);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            var record = db.PrepareTermChange(new ApplicationObject
            {
                Tag = "web", Group = "g", Command = new CommandSpec { Argv = ["/bin/true"] }, Host = i % 2 == 0 ? "a" : "b", Primary = "a", Backups = ["b", "c"],
            });
            var result = replicators[0].ProposeAsync(record, [1, 2, 3], 2, TimeSpan.FromSeconds(1)).GetAwaiter().GetResult();
            if (result.Accepted.Count < 2)
            {
                throw new InvalidOperationException("bench: a proposal was refused");
            }

            replicators[0].Commit(record);
        }

        return sw.Elapsed;
    }

    private static void Report(string what, int count, TimeSpan elapsed) =>
        Console.WriteLine($"{what,-28} {count,7} ops in {elapsed.TotalMilliseconds,9:0.0} ms = {count / elapsed.TotalSeconds,10:0} ops/s, {elapsed.TotalMicroseconds / count,8:0.0} µs/op");
}
