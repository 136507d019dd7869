using HwFence.Cluster.Replication;
using HwFence.Testing;

namespace HwFence.Cluster.Tests.Replication;

public class WireFormatTests
{
    [Fact]
    public void FragmentHeaderRejectsTruncatedAndInconsistentInput()
    {
        Assert.False(MessageFragmenter.TryReadHeader([1, 0, 1], out _, out _, out _, out var e1));
        Assert.Contains("shorter than the 8-byte header", e1);
        Assert.False(MessageFragmenter.TryReadHeader([2, 0, 1, 0, 0, 0, 0, 1], out _, out _, out _, out var e2));
        Assert.Contains("version 2", e2);
        Assert.False(MessageFragmenter.TryReadHeader([1, 3, 3, 0, 0, 0, 0, 1], out _, out _, out _, out var e3));
        Assert.Contains("index 3 is not below count 3", e3);
        Assert.True(MessageFragmenter.TryReadHeader([1, 1, 3, 0, 0, 0, 1, 2], out var index, out var count, out var id, out _));
        Assert.Equal((1, 3, 258u), (index, count, id));
    }

    [Fact]
    public void MessageDecodeNamesWhatIsWrong()
    {
        Assert.False(ReplicationMessage.TryDecode("{"u8, out _, out var e1));
        Assert.Contains("not valid JSON", e1);
        Assert.False(ReplicationMessage.TryDecode("""{"type":"update"}"""u8, out _, out var e2));
        Assert.Contains("lacks its records", e2);
        Assert.True(ReplicationMessage.TryDecode("""{"type":"digest-reply","need":[]}"""u8, out var m, out _));
        Assert.Equal(ReplicationMessageType.DigestReply, m!.Type);
    }

    [Fact]
    public void MutatedDatagramsNeverCrashTheReceiver()
    {
        // Seeded mutation loop over real encoded traffic: every mutation is dropped or decoded, never thrown.
        var net = new InProcessNetwork { MaxPayload = 64 };
        var time = new FakeTimeProvider();
        var sender = new MessageFragmenter(net.Join(1), time);
        var raw = net.Join(2);
        var captured = new List<byte[]>();
        raw.MessageReceived += (_, p) => captured.Add(p.ToArray());
        var message = new ReplicationMessage { Type = ReplicationMessageType.Digest, Digests = [new(HwFence.Cluster.Database.RecordKind.Application, "web", new(1, 2, 3))] }.Encode();
        sender.Send(2, message);
        Assert.True(captured.Count > 1);

        var receiverNet = new InProcessNetwork();
        var victim = new MessageFragmenter(receiverNet.Join(5), time);
        var injector = receiverNet.Join(6);
        int decoded = 0;
        victim.MessageReceived += (from, bytes) =>
        {
            if (ReplicationMessage.TryDecode(bytes, out _, out _))
            {
                decoded++;
            }
        };
        var random = new Random(42);
        for (int i = 0; i < 2000; i++)
        {
            byte[] d = captured[random.Next(captured.Count)].ToArray();
            d[random.Next(d.Length)] ^= (byte)(1 << random.Next(8));
            injector.Send(5, d.AsSpan(0, random.Next(1, d.Length + 1)));
        }

        Assert.True(victim.MalformedDropped > 0);
    }
}
