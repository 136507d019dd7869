namespace HwFence.Rig;

/// <summary>Where the demo application records what it acknowledged (the checker's evidence for invariant 5).</summary>
public interface IAckLog
{
    /// <summary>Durably records one ack; returns only when it is stored.</summary>
    void Append(AckLine ack);
}
