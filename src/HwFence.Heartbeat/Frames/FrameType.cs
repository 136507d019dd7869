namespace HwFence.Heartbeat.Frames;

/// <summary>What a frame carries (byte 5 of the frame, see <see cref="FrameLayout"/>).</summary>
public enum FrameType : byte
{
    /// <summary>A liveness beat with the sender's small state section (applications hosted, view epoch).</summary>
    Heartbeat = 1,

    /// <summary>A cluster-manager message (database replication, control) addressed to one peer.</summary>
    Message = 2,
}
