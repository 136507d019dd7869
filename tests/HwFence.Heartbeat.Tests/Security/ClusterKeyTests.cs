using HwFence.Heartbeat.Security;

namespace HwFence.Heartbeat.Tests.Security;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ClusterKeyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hwfence-key-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private string Write(string name, byte[] content, UnixFileMode mode)
    {
        string p = PathOf(name);
        File.WriteAllBytes(p, content);
        File.SetUnixFileMode(p, mode);
        return p;
    }

    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public void Generated_key_is_mode_0600_and_loads()
    {
        string p = PathOf("authkey");
        ClusterKey.Generate(p);
        Assert.Equal(Private, File.GetUnixFileMode(p));
        var key = ClusterKey.Load(p);
        Assert.Equal(32, key.Length);
        Assert.Equal(65, new FileInfo(p).Length); // 64 hex digits and a newline
    }

    [Fact]
    public void Generate_refuses_to_overwrite_an_existing_key()
    {
        string p = PathOf("authkey");
        ClusterKey.Generate(p);
        string before = File.ReadAllText(p);
        var e = Assert.Throws<ClusterKeyException>(() => ClusterKey.Generate(p));
        Assert.Contains("already exists", e.Message);
        Assert.Equal(before, File.ReadAllText(p));
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.GroupWrite)]
    public void Key_accessible_by_group_or_others_is_refused_with_the_chmod_remedy(UnixFileMode extra)
    {
        string p = Write("authkey", new byte[64], Private | extra);
        var e = Assert.Throws<ClusterKeyException>(() => ClusterKey.Load(p));
        Assert.Contains(p, e.Message);
        Assert.Contains($"chmod 600 {p}", e.Message);
        Assert.Contains("group or others", e.Message);
    }

    [Fact]
    public void Missing_key_is_refused_naming_the_generate_command()
    {
        var e = Assert.Throws<ClusterKeyException>(() => ClusterKey.Load(PathOf("nope")));
        Assert.Contains("does not exist", e.Message);
        Assert.Contains("hwfence key generate", e.Message);
    }

    [Fact]
    public void Empty_and_short_keys_are_refused()
    {
        var e = Assert.Throws<ClusterKeyException>(() => ClusterKey.Load(Write("empty", [], Private)));
        Assert.Contains("is empty", e.Message);
        e = Assert.Throws<ClusterKeyException>(() => ClusterKey.Load(Write("short", new byte[31], Private)));
        Assert.Contains("31 bytes", e.Message);
        e = Assert.Throws<ClusterKeyException>(() => ClusterKey.Load(Write("shorthex", System.Text.Encoding.ASCII.GetBytes(new string('a', 62) + "\n"), Private)));
        Assert.Contains("31 bytes", e.Message);
    }

    [Fact]
    public void Raw_binary_and_hex_keys_of_the_same_bytes_authenticate_alike()
    {
        byte[] raw = Enumerable.Range(100, 48).Select(i => (byte)i).ToArray();
        var a = ClusterKey.Load(Write("raw", raw, Private));
        var b = ClusterKey.Load(Write("hex", System.Text.Encoding.ASCII.GetBytes(Convert.ToHexString(raw) + "\r\n"), Private));
        Span<byte> tag = stackalloc byte[16];
        a.ComputeTag("data"u8, tag);
        Assert.True(b.VerifyTag("data"u8, tag));
        Assert.False(b.VerifyTag("datb"u8, tag));
    }
}
