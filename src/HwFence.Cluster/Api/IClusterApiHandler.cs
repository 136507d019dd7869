namespace HwFence.Cluster.Api;

/// <summary>What the API server asks the cluster (implemented over <see cref="ClusterNode"/> by <see cref="ClusterNodeApiHandler"/>).</summary>
public interface IClusterApiHandler
{
    /// <summary>"active" or "paused"; throws <see cref="InvalidOperationException"/> with the reason when registration is refused.</summary>
    Task<string> RegisterAsync(string tag, CancellationToken cancellationToken);

    void ReportHealth(string tag, string state, string? detail);

    /// <summary>Null on success, else why not.</summary>
    string? SaveMarker(string tag, string base64);

    string? ReadMarker(string tag);
}
