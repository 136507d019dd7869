namespace HwFence.Cluster.Api;

/// <summary>Requests the cluster sends a cluster-aware application (see PROTOCOL.md).</summary>
public enum ApiRequest
{
    /// <summary>Stop taking work but stay loaded (e.g. the primary waits for the backup to hand over).</summary>
    Pause,
    /// <summary>Continue (this node is HOST again).</summary>
    Resume,
    /// <summary>Save the MARKER, release resources and exit: the application moves.</summary>
    Unload,
}

/// <summary>How the cluster reaches cluster-aware applications running on this node (the API server).</summary>
public interface IAwareApplicationChannel
{
    /// <summary>Sends <paramref name="request"/> to the registered application <paramref name="tag"/>; true when it acknowledged within <paramref name="timeout"/>.</summary>
    Task<bool> RequestAsync(string tag, ApiRequest request, TimeSpan timeout, CancellationToken cancellationToken = default);
}
