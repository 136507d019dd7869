using System.Security.Cryptography;

namespace HwFence.Heartbeat.Security;

/// <summary>
/// The cluster's shared secret, the HMAC-SHA256 key that authenticates every heartbeat and message
/// frame (<see cref="Frames.FrameLayout"/>). Read from a key file that must be private to its owner
/// (mode 0600): a key readable by group or others lets any local user forge heartbeats, which could
/// hide a dead node from the detector, so the daemon refuses to start rather than warn.
/// </summary>
/// <remarks>
/// File format: either the key as hexadecimal text (what <c>hwfence key generate</c> writes: 64 hex
/// digits and a newline), or raw binary key bytes (as corosync's authkey). At least
/// <see cref="MinLength"/> bytes of key either way — HMAC-SHA256 keys shorter than the hash output
/// weaken it (RFC 2104 §3).
/// </remarks>
public sealed class ClusterKey
{
    /// <summary>Shortest key accepted: 32 bytes = the SHA-256 output length (RFC 2104 §3).</summary>
    public const int MinLength = 32;

    /// <summary>Length of keys <see cref="Generate"/> writes.</summary>
    public const int GeneratedLength = 32;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly byte[] _key;

    // One keyed HMAC context per thread (IncrementalHash is not thread-safe). Reusing it keeps the
    // per-frame cost allocation-free: the one-shot HMACSHA256.HashData allocates ~260 bytes a call
    // on Linux (measured), IncrementalHash.TryGetHashAndReset nothing.
    private readonly ThreadLocal<IncrementalHash> _hmac;

    private ClusterKey(byte[] key, string source)
    {
        _key = key;
        Source = source;
        _hmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key));
    }

    /// <summary>Where the key came from (file path), for messages.</summary>
    public string Source { get; }

    /// <summary>Key length in bytes.</summary>
    public int Length => _key.Length;

    /// <summary>A key from bytes already in memory (tests, benchmarks).</summary>
    public static ClusterKey FromBytes(ReadOnlySpan<byte> key, string source = "(in memory)")
    {
        if (key.Length < MinLength)
        {
            throw new ClusterKeyException($"cluster key {source}: {key.Length} bytes of key, at least {MinLength} are required.");
        }

        return new ClusterKey(key.ToArray(), source);
    }

    /// <summary>Loads and checks a key file; throws <see cref="ClusterKeyException"/> naming the file and the remedy.</summary>
    public static ClusterKey Load(string path) =>
        TryLoad(path, out var key, out string? error) ? key! : throw new ClusterKeyException(error!);

    /// <summary>Loads and checks a key file without throwing.</summary>
    public static bool TryLoad(string path, out ClusterKey? key, out string? error)
    {
        key = null;
        if (!File.Exists(path))
        {
            error = $"cluster key file {path} does not exist. Create it on one node with `hwfence key generate {path}` " +
                    "and copy it to every node of the cluster keeping mode 0600 (e.g. scp -p).";
            return false;
        }

        byte[] content;
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                UnixFileMode mode = File.GetUnixFileMode(path);
                if ((mode & GroupOrOthers) != 0)
                {
                    error = $"cluster key file {path} is accessible by group or others (mode {Octal(mode)}); " +
                            $"anyone who can read it can forge heartbeats. Run `chmod 600 {path}` and start again.";
                    return false;
                }
            }

            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"cluster key file {path} cannot be read: {e.Message}. The daemon must run as the file's owner (mode 0600).";
            return false;
        }

        byte[] keyBytes = Decode(content);
        if (keyBytes.Length < MinLength)
        {
            error = content.Length == 0
                ? $"cluster key file {path} is empty. Generate a key with `hwfence key generate {path}` (after removing the empty file)."
                : $"cluster key file {path} holds {keyBytes.Length} bytes of key; at least {MinLength} are required. " +
                  $"Generate a new one with `hwfence key generate {path}` and copy it to every node.";
            return false;
        }

        key = new ClusterKey(keyBytes, path);
        error = null;
        return true;
    }

    /// <summary>
    /// Writes a fresh random key to <paramref name="path"/>, created with mode 0600 (never widened by
    /// umask). Refuses to overwrite an existing file, so a running cluster's key is not replaced by accident.
    /// </summary>
    public static void Generate(string path)
    {
        Span<byte> key = stackalloc byte[GeneratedLength];
        RandomNumberGenerator.Fill(key);
        string text = Convert.ToHexStringLower(key) + "\n";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, options);
            stream.Write(System.Text.Encoding.ASCII.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new ClusterKeyException($"cluster key file {path} already exists; remove it first if you really mean to replace the cluster's key (every node needs the new one).", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClusterKeyException($"cannot create cluster key file {path}: {e.Message}", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Writes the 128-bit truncated HMAC-SHA256 tag of <paramref name="data"/> into <paramref name="tag"/>. Allocation-free.</summary>
    public void ComputeTag(ReadOnlySpan<byte> data, Span<byte> tag)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Mac(data, full);
        full[..tag.Length].CopyTo(tag);
    }

    /// <summary>Checks a truncated tag in constant time (no early exit an attacker could time).</summary>
    public bool VerifyTag(ReadOnlySpan<byte> data, ReadOnlySpan<byte> tag)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Mac(data, full);
        return tag.Length > 0 && tag.Length <= full.Length && CryptographicOperations.FixedTimeEquals(full[..tag.Length], tag);
    }

    private void Mac(ReadOnlySpan<byte> data, Span<byte> full)
    {
        IncrementalHash hmac = _hmac.Value!;
        hmac.AppendData(data);
        hmac.TryGetHashAndReset(full, out _);
    }

    private static byte[] Decode(byte[] content)
    {
        ReadOnlySpan<char> text = System.Text.Encoding.ASCII.GetString(content).AsSpan().Trim();
        bool hex = text.Length > 0 && text.Length % 2 == 0 && !text.ContainsAnyExcept("0123456789abcdefABCDEF");
        return hex ? Convert.FromHexString(text) : content;
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8);
}
