namespace HwFence.Cluster.Database;

/// <summary>
/// Total order over the copies of one record: (term, counter, writer), compared in that order.
/// A quorum commit (HOST change) raises the term, so a copy committed by a group's majority beats
/// anything a minority wrote meanwhile; a local update raises the counter; the writer's node id
/// breaks ties deterministically so every node picks the same winner.
/// </summary>
public readonly record struct RecordVersion(long Term, long Counter, int Writer) : IComparable<RecordVersion>
{
    public static RecordVersion Zero => default;

    public int CompareTo(RecordVersion other)
    {
        int c = Term.CompareTo(other.Term);
        if (c != 0)
        {
            return c;
        }

        c = Counter.CompareTo(other.Counter);
        return c != 0 ? c : Writer.CompareTo(other.Writer);
    }

    public static bool operator >(RecordVersion a, RecordVersion b) => a.CompareTo(b) > 0;
    public static bool operator <(RecordVersion a, RecordVersion b) => a.CompareTo(b) < 0;
    public static bool operator >=(RecordVersion a, RecordVersion b) => a.CompareTo(b) >= 0;
    public static bool operator <=(RecordVersion a, RecordVersion b) => a.CompareTo(b) <= 0;

    /// <summary>The next local update by <paramref name="writer"/>: same term, counter + 1.</summary>
    public RecordVersion NextLocal(int writer) => new(Term, Counter + 1, writer);

    /// <summary>The next quorum-committed update: term + 1, counter restarts.</summary>
    public RecordVersion NextTerm(int writer) => new(Term + 1, 0, writer);

    public override string ToString() => $"{Term}.{Counter}@{Writer}";
}
