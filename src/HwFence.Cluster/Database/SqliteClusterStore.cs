using Microsoft.Data.Sqlite;

namespace HwFence.Cluster.Database;

/// <summary>
/// The default per-node store: one SQLite file (WAL journal, synchronous=FULL so an applied
/// record survives power loss before it is acknowledged to a quorum). Apply-if-newer is a single
/// UPSERT whose WHERE compares (term, counter, writer), so it is atomic without a read-modify-write race.
/// </summary>
public sealed class SqliteClusterStore : IClusterStore
{
    private readonly object _gate = new();
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _select;

    /// <param name="path">Database file; ":memory:" for a private in-memory database.</param>
    public SqliteClusterStore(string path)
    {
        if (path != ":memory:")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }

        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        Execute("""
            CREATE TABLE IF NOT EXISTS records (
              kind    INTEGER NOT NULL,
              key     TEXT    NOT NULL,
              term    INTEGER NOT NULL,
              counter INTEGER NOT NULL,
              writer  INTEGER NOT NULL,
              deleted INTEGER NOT NULL,
              payload BLOB    NOT NULL,
              PRIMARY KEY (kind, key)
            ) WITHOUT ROWID;
            """);

        // Row-value comparison (SQLite ≥ 3.15) gives the lexicographic (term, counter, writer) order of RecordVersion.
        _upsert = _connection.CreateCommand();
        _upsert.CommandText = """
            INSERT INTO records (kind, key, term, counter, writer, deleted, payload)
            VALUES ($kind, $key, $term, $counter, $writer, $deleted, $payload)
            ON CONFLICT (kind, key) DO UPDATE SET
              term = excluded.term, counter = excluded.counter, writer = excluded.writer,
              deleted = excluded.deleted, payload = excluded.payload
            WHERE (excluded.term, excluded.counter, excluded.writer) > (records.term, records.counter, records.writer);
            """;
        foreach (var name in new[] { "$kind", "$key", "$term", "$counter", "$writer", "$deleted", "$payload" })
        {
            _upsert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        _select = _connection.CreateCommand();
        _select.CommandText = "SELECT kind, key, term, counter, writer, deleted, payload FROM records WHERE kind = $kind AND key = $key";
        _select.Parameters.Add(new SqliteParameter { ParameterName = "$kind" });
        _select.Parameters.Add(new SqliteParameter { ParameterName = "$key" });
    }

    public ApplyOutcome TryApply(ClusterRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            _upsert.Parameters["$kind"].Value = (int)record.Kind;
            _upsert.Parameters["$key"].Value = record.Key;
            _upsert.Parameters["$term"].Value = record.Version.Term;
            _upsert.Parameters["$counter"].Value = record.Version.Counter;
            _upsert.Parameters["$writer"].Value = record.Version.Writer;
            _upsert.Parameters["$deleted"].Value = record.Deleted ? 1 : 0;
            _upsert.Parameters["$payload"].Value = record.Payload;
            if (_upsert.ExecuteNonQuery() == 1)
            {
                return ApplyOutcome.Applied;
            }

            var current = GetLocked(record.Kind, record.Key);
            return current is not null && current.Version == record.Version ? ApplyOutcome.Duplicate : ApplyOutcome.Stale;
        }
    }

    public ClusterRecord? Get(RecordKind kind, string key)
    {
        lock (_gate)
        {
            return GetLocked(kind, key);
        }
    }

    private ClusterRecord? GetLocked(RecordKind kind, string key)
    {
        _select.Parameters["$kind"].Value = (int)kind;
        _select.Parameters["$key"].Value = key;
        using var reader = _select.ExecuteReader();
        return reader.Read() ? ReadRecord(reader) : null;
    }

    public IReadOnlyList<ClusterRecord> List(RecordKind kind)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT kind, key, term, counter, writer, deleted, payload FROM records WHERE kind = $kind ORDER BY key";
            cmd.Parameters.AddWithValue("$kind", (int)kind);
            using var reader = cmd.ExecuteReader();
            var list = new List<ClusterRecord>();
            while (reader.Read())
            {
                list.Add(ReadRecord(reader));
            }

            // SQLite's default BINARY collation orders by bytes, which for UTF-8 equals ordinal order of code points.
            return list;
        }
    }

    public IReadOnlyList<RecordDigest> Digest()
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT kind, key, term, counter, writer FROM records";
            using var reader = cmd.ExecuteReader();
            var list = new List<RecordDigest>();
            while (reader.Read())
            {
                list.Add(new RecordDigest((RecordKind)reader.GetInt32(0), reader.GetString(1), new RecordVersion(reader.GetInt64(2), reader.GetInt64(3), reader.GetInt32(4))));
            }

            return list;
        }
    }

    private static ClusterRecord ReadRecord(SqliteDataReader r) =>
        new((RecordKind)r.GetInt32(0), r.GetString(1), new RecordVersion(r.GetInt64(2), r.GetInt64(3), r.GetInt32(4)), (byte[])r.GetValue(6), r.GetInt32(5) != 0);

    private void Execute(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _upsert.Dispose();
            _select.Dispose();
            _connection.Dispose();
        }
    }
}
