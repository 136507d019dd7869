namespace HwFence.Rig;

/// <summary>One broken invariant (design.md "Invariants every scenario checks", numbered 1–5).</summary>
/// <param name="Invariant">1 single host · 2 no write after fence · 3 no failover from a live primary · 4 failover time · 5 no acknowledged write lost.</param>
/// <param name="At">When it happened, if known.</param>
/// <param name="Explanation">What the evidence shows, naming nodes, records and times.</param>
public sealed record InvariantViolation(int Invariant, DateTimeOffset? At, string Explanation)
{
    public static string Title(int invariant) => invariant switch
    {
        1 => "at most one host at any instant",
        2 => "no write from a fenced node accepted after the fence",
        3 => "no failover while any path shows the primary alive",
        4 => "failover within the time bound",
        5 => "no acknowledged write lost",
        _ => "unknown invariant",
    };

    public override string ToString() => $"invariant {Invariant} ({Title(Invariant)}) violated{(At is { } t ? $" at {t:HH:mm:ss.fff}" : "")}: {Explanation}";
}
