using System.Text;
using HwFence.Cluster.Api;

namespace HwFence.Cluster.Tests.Api;

/// <summary>The cluster API over a real Unix-domain socket.</summary>
public sealed class ClusterApiTests : IAsyncLifetime
{
    private readonly string _socket = Path.Combine(Path.GetTempPath(), $"hwf-{Guid.NewGuid():N}.sock"[..24] + ".sock");
    private readonly FakeHandler _handler = new();
    private ClusterApiServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new ClusterApiServer(_socket, _handler, TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task RegisterHealthAndMarkerRoundTrip()
    {
        await using var client = await ClusterApiClient.ConnectAsync(_socket);
        Assert.True(await client.RegisterAsync("shop"));
        Assert.Null(await client.ReadMarkerAsync());
        await client.SaveMarkerAsync(Encoding.UTF8.GetBytes("lsn=4217"));
        Assert.Equal("lsn=4217", Encoding.UTF8.GetString((await client.ReadMarkerAsync())!));
        await client.ReportHealthAsync("degraded", "replica lag 3 s");
        Assert.Equal(("shop", "degraded", "replica lag 3 s"), _handler.Health.Single());
    }

    [Fact]
    public async Task PausedRegistrationAndRequestsAreAcknowledged()
    {
        _handler.State = "paused";
        await using var client = await ClusterApiClient.ConnectAsync(_socket);
        var seen = new List<ApiRequest>();
        client.OnRequest = r =>
        {
            lock (seen)
            {
                seen.Add(r);
            }

            return Task.CompletedTask;
        };
        Assert.False(await client.RegisterAsync("shop"));
        Assert.True(await _server.RequestAsync("shop", ApiRequest.Resume, TimeSpan.FromSeconds(10)));
        Assert.True(await _server.RequestAsync("shop", ApiRequest.Unload, TimeSpan.FromSeconds(10)));
        Assert.Equal([ApiRequest.Resume, ApiRequest.Unload], seen);
    }

    [Fact]
    public async Task RequestToAnUnregisteredApplicationIsNotAcknowledged() =>
        Assert.False(await _server.RequestAsync("nobody", ApiRequest.Pause, TimeSpan.FromSeconds(1)));

    [Fact]
    public async Task ErrorsAreReportedAsErrLinesNamingTheProblem()
    {
        await using var client = await ClusterApiClient.ConnectAsync(_socket);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => client.ReportHealthAsync("ok"));
        Assert.Contains("REGISTER <tag> must come first", e.Message);
        Assert.True(await client.RegisterAsync("shop"));
        _handler.MarkerError = "'shop' is not hosted by beta; only the host saves the MARKER";
        e = await Assert.ThrowsAsync<InvalidOperationException>(() => client.SaveMarkerAsync(new byte[] { 1 }));
        Assert.Contains("only the host saves the MARKER", e.Message);
        e = await Assert.ThrowsAsync<InvalidOperationException>(() => client.ReportHealthAsync("sick"));
        Assert.Contains("not ok, degraded or failed", e.Message);
    }

    [Fact]
    public async Task RawProtocolLinesFromTheDocument()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(_socket));
        using var stream = new System.Net.Sockets.NetworkStream(socket);
        using var reader = new StreamReader(stream);
        using var writer = new StreamWriter(stream) { AutoFlush = true, NewLine = "\n" };
        await writer.WriteLineAsync("REGISTER pgsql\r");
        Assert.Equal("OK active", await reader.ReadLineAsync());
        await writer.WriteLineAsync("MARKER-GET");
        Assert.Equal("MARKER -", await reader.ReadLineAsync());
        await writer.WriteLineAsync("MARKER-SAVE not*base64");
        Assert.StartsWith("ERR MARKER-SAVE", await reader.ReadLineAsync());
        await writer.WriteLineAsync("FOO");
        Assert.StartsWith("ERR unknown command 'FOO'", await reader.ReadLineAsync());
        await writer.WriteLineAsync(new string('x', ClusterApiServer.MaxLineBytes + 10));
        Assert.StartsWith("ERR line too long", await reader.ReadLineAsync());
    }

    private sealed class FakeHandler : IClusterApiHandler
    {
        private readonly Dictionary<string, string> _markers = new();
        public string State { get; set; } = "active";
        public string? MarkerError { get; set; }
        public List<(string, string, string?)> Health { get; } = new();

        public Task<string> RegisterAsync(string tag, CancellationToken cancellationToken) => Task.FromResult(State);

        public void ReportHealth(string tag, string state, string? detail) => Health.Add((tag, state, detail));

        public string? SaveMarker(string tag, string base64)
        {
            if (MarkerError is not null)
            {
                return MarkerError;
            }

            _markers[tag] = base64;
            return null;
        }

        public string? ReadMarker(string tag) => _markers.GetValueOrDefault(tag);
    }
}
