using System.Net;
using System.Net.Sockets;
using HwFence.Cluster.Configuration;

namespace HwFence.Cluster.Supervisor;

/// <summary>
/// The real check: devices and files exist (a device node must also open for reading, so a
/// present-but-dead disk counts as missing), and TCP ports are free (nothing can bind them).
/// <c>{node}</c> in a device or file path is replaced by this node's name, for nodes that share a
/// filesystem (e.g. <c>/srv/shared/{node}/ready</c>).
/// </summary>
/// <param name="nodeName">This node's name, substituted for <c>{node}</c>; null leaves paths as written.</param>
public sealed class LocalResourceProbe(string? nodeName = null) : IResourceProbe
{
    private string Path(string path) => nodeName is null ? path : path.Replace("{node}", nodeName, StringComparison.Ordinal);

    public IReadOnlyList<string> FindMissing(ResourceSpec resources)
    {
        var missing = new List<string>();
        foreach (var device in resources.Devices.Select(Path))
        {
            if (!File.Exists(device) && !Directory.Exists(device))
            {
                missing.Add($"device {device} not present");
                continue;
            }

            try
            {
                using var _ = new FileStream(device, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                missing.Add($"device {device} present but not reachable: {e.Message}");
            }
        }

        foreach (var file in resources.Files.Select(Path))
        {
            if (!File.Exists(file) && !Directory.Exists(file))
            {
                missing.Add($"file {file} not present");
            }
        }

        foreach (int port in resources.Ports)
        {
            var listener = new TcpListener(IPAddress.Any, port);
            try
            {
                listener.Start();
            }
            catch (SocketException e)
            {
                missing.Add($"port {port} is not free ({e.SocketErrorCode}): another process listens on it");
            }
            finally
            {
                listener.Stop();
            }
        }

        return missing;
    }
}
