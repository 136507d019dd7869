using System.Text;
using System.Text.Json;
using HwFence.Cluster.Api;
using HwFence.Cluster.Database;
using HwFence.Cluster.RedundancyGroups;
using NSubstitute;

namespace HwFence.Cluster.Tests.Api;

/// <summary>The operator control socket over a real Unix-domain socket, with the node behind it substituted (a seam).</summary>
public sealed class ClusterControlServerTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hwfence-ctl-").FullName;
    private readonly IClusterControlHandler _node = Substitute.For<IClusterControlHandler>();
    private ClusterControlServer _server = null!;

    public Task InitializeAsync()
    {
        _node.NodeName.Returns("n1");
        _server = new ClusterControlServer(Path.Combine(_dir, "control.sock"), _node);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<ClusterControlClient.Reply> Send(string line) => ClusterControlClient.SendAsync(_server.SocketPath, line, TimeSpan.FromSeconds(10));

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void SocketIsForTheDaemonsUserOnly()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_server.SocketPath));
    }

    [Fact]
    public async Task LoadAnswersWithTheRegistrationCase()
    {
        _node.LoadAsync("ledger", Arg.Any<CancellationToken>()).Returns("TakeUnloaded");
        var reply = await Send("APP-LOAD ledger");
        Assert.True(reply.Ok, reply.Error);
        Assert.Equal("TakeUnloaded", reply.Result.GetProperty("registration").GetString());
        Assert.Equal("n1", reply.Result.GetProperty("node").GetString());
    }

    [Fact]
    public async Task RefusalsCarryTheNodesReason()
    {
        _node.MoveAsync("ledger", "n9", Arg.Any<CancellationToken>()).Returns("n9 is neither PRIMARY nor a BACKUP of 'ledger'");
        var reply = await Send("APP-MOVE ledger n9");
        Assert.False(reply.Ok);
        Assert.Equal("APP-MOVE: n9 is neither PRIMARY nor a BACKUP of 'ledger'", reply.Error);

        _node.UnloadAsync("x", Arg.Any<CancellationToken>()).Returns<Task<string?>>(_ => throw new InvalidOperationException("no application 'x' in n1's database"));
        reply = await Send("APP-UNLOAD x");
        Assert.Equal("APP-UNLOAD: no application 'x' in n1's database", reply.Error);
    }

    [Fact]
    public async Task AddValidatesTheSpecBeforeTheNodeSeesIt()
    {
        var reply = await Send("APP-ADD {\"tag\":\"web\",\"group\":\"g1\",\"primary\":\"n1\",\"backups\":[\"n1\"],\"argv\":[\"/bin/true\"]}");
        Assert.Equal("APP-ADD: application 'web': n1 is both primary and a backup", reply.Error);
        reply = await Send("APP-ADD {\"tag\":\"web\",");
        Assert.StartsWith("APP-ADD: the argument is not a valid application JSON object", reply.Error, StringComparison.Ordinal);
        _node.DidNotReceive().Add(Arg.Any<ApplicationObject>());

        _node.Add(Arg.Any<ApplicationObject>()).Returns((string?)null);
        reply = await Send("APP-ADD {\"tag\":\"web\",\"group\":\"g1\",\"primary\":\"n1\",\"backups\":[\"n2\"],\"argv\":[\"/bin/sleep\",\"9\"],\"auto_failback\":false}");
        Assert.True(reply.Ok, reply.Error);
        _node.Received(1).Add(Arg.Is<ApplicationObject>(a => a.Tag == "web" && a.Host == null && !a.AutoFailback && a.Command.Argv.SequenceEqual(new[] { "/bin/sleep", "9" })));
    }

    [Fact]
    public async Task GroupListAndMemberChanges()
    {
        _node.RedundancyGroups().Returns([new RedundancyGroupState("rg1", ["n1", "n2"], new Dictionary<string, string?> { ["replication-primary"] = "n1" })]);
        var reply = await Send("GROUP-LIST");
        Assert.True(reply.Ok, reply.Error);
        Assert.Equal("n1", reply.Result[0].GetProperty("Holders").GetProperty("replication-primary").GetString());

        Assert.Equal("GROUP-ADD-MEMBER: position 'x' is not a non-negative number", (await Send("GROUP-ADD-MEMBER rg1 n3 x")).Error);
        _node.AddMember("rg1", "n3", 0).Returns((string?)null);
        Assert.True((await Send("GROUP-ADD-MEMBER rg1 n3 0")).Ok);
        _node.Received(1).AddMember("rg1", "n3", 0);
    }

    [Fact]
    public async Task WrongArityAndUnknownCommandsAreRefusedByName()
    {
        Assert.Equal("APP-MOVE needs <tag> <node> (1 field given)", (await Send("APP-MOVE ledger")).Error);
        Assert.StartsWith("unknown command 'FROB'; expected one of STATUS, APP-LOAD", (await Send("FROB x")).Error, StringComparison.Ordinal);
        Assert.Equal("unknown command 'A?B'; expected one of STATUS, APP-LOAD, APP-UNLOAD, APP-MOVE, APP-FAILBACK, APP-ADD, APP-REMOVE, GROUP-LIST, GROUP-ADD-MEMBER, GROUP-REMOVE-MEMBER, GROUP-MOVE-MEMBER", (await Send("A\u0001B")).Error);
    }

    /// <summary>Seeded mutations of valid requests: every line gets exactly one well-formed reply and the server keeps serving.</summary>
    [Fact]
    public async Task FuzzedRequestsAlwaysGetOneWellFormedReply()
    {
        _node.Status().Returns(_ => throw new InvalidOperationException("status unavailable"));
        string[] seeds =
        [
            "APP-LOAD ledger", "APP-MOVE ledger n2", "APP-ADD {\"tag\":\"w\",\"group\":\"g\",\"primary\":\"n1\",\"argv\":[\"/x\"]}",
            "GROUP-ADD-MEMBER rg1 n3 2", "GROUP-MOVE-MEMBER n3 rg2", "STATUS", "APP-FAILBACK ledger",
        ];
        var random = new Random(20261122);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(_server.SocketPath));
        await using var stream = new System.Net.Sockets.NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        for (int i = 0; i < 2000; i++)
        {
            char[] line = seeds[random.Next(seeds.Length)].ToCharArray();
            for (int m = random.Next(1, 4); m > 0; m--)
            {
                int at = random.Next(line.Length);
                line[at] = random.Next(4) switch
                {
                    0 => (char)random.Next(0x20, 0x7f),
                    1 => ' ',
                    2 => (char)random.Next(0x80, 0x3000),
                    _ => '"',
                };
            }

            string request = new string(line).Replace('\n', ' ').Replace('\r', ' ');
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request + "\n"));
            string? reply = await reader.ReadLineAsync();
            Assert.NotNull(reply);
            var parsed = ClusterControlClient.Parse(reply, _server.SocketPath);
            if (parsed.Ok)
            {
                Assert.NotEqual(JsonValueKind.Undefined, parsed.Result.ValueKind);
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(parsed.Error), $"request '{request}' got an empty error");
            }
        }
    }
}
