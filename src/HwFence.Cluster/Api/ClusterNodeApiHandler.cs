namespace HwFence.Cluster.Api;

/// <summary>The API handler of a running node.</summary>
public sealed class ClusterNodeApiHandler(ClusterNode node) : IClusterApiHandler
{
    public Task<string> RegisterAsync(string tag, CancellationToken cancellationToken) => node.RegisterAwareAsync(tag, cancellationToken);

    public void ReportHealth(string tag, string state, string? detail) => node.ReportHealth(tag, state, detail);

    public string? SaveMarker(string tag, string base64) => node.SaveMarker(tag, base64);

    public string? ReadMarker(string tag) => node.ReadMarker(tag);
}
