using HwFence.Emulator.Iscsi;
using HwFence.Emulator.Tests.Support;
using HwFence.Scsi.Iscsi;
using HwFence.Scsi.Iscsi.Initiator;
using HwFence.Scsi.Iscsi.Login;
using HwFence.Scsi.Iscsi.Pdus;

namespace HwFence.Emulator.Tests.Iscsi;

/// <summary>
/// The logins the Linux kernel initiator's userspace (open-iscsi 2.1.8, iscsid) sends, replayed key for key as
/// captured from a QEMU guest (tests/HwFence.Qemu.Tests/GuestKernelInitiatorTests runs the real thing), and the
/// advertised portal discovery needs behind a port forward.
/// </summary>
public sealed class OpenIscsiLoginTests
{
    private const string Initiator = "iqn.2026-01.org.hwfence:node1";

    /// <summary>open-iscsi's discovery login: operational stage straight to full feature, RFC 3720 marker keys included.</summary>
    private static readonly KeyValuePair<string, string>[] DiscoveryKeys =
    [
        new("InitiatorName", Initiator), new("InitiatorAlias", "node1"), new("SessionType", "Discovery"),
        new("HeaderDigest", "None"), new("DataDigest", "None"), new("DefaultTime2Wait", "2"), new("DefaultTime2Retain", "0"),
        new("IFMarker", "No"), new("OFMarker", "No"), new("ErrorRecoveryLevel", "0"), new("MaxRecvDataSegmentLength", "32768"),
    ];

    private static KeyValuePair<string, string>[] NormalKeys(string target) =>
    [
        new("InitiatorName", Initiator), new("InitiatorAlias", "node1"), new("TargetName", target), new("SessionType", "Normal"),
        new("HeaderDigest", "None"), new("DataDigest", "None"), new("DefaultTime2Wait", "2"), new("DefaultTime2Retain", "0"),
        new("IFMarker", "No"), new("OFMarker", "No"), new("ErrorRecoveryLevel", "0"), new("InitialR2T", "No"),
        new("ImmediateData", "Yes"), new("MaxBurstLength", "16776192"), new("FirstBurstLength", "262144"),
        new("MaxOutstandingR2T", "1"), new("MaxConnections", "1"), new("DataPDUInOrder", "Yes"),
        new("DataSequenceInOrder", "Yes"), new("MaxRecvDataSegmentLength", "262144"),
    ];

    /// <summary>Sends one Login Request (CSG operational, NSG full feature, T=1) and returns the response header and keys.</summary>
    private static async Task<(LoginResponseHeader Header, Dictionary<string, string> Keys)> LoginAsync(EmulatorServer server, KeyValuePair<string, string>[] keys, ulong isid)
    {
        await using var raw = await RawIscsiClient.ConnectAsync(server.Port);
        var login = new LoginRequestHeader(true, false, LoginStage.LoginOperationalNegotiation, LoginStage.FullFeaturePhase, 0, 0, isid, 0, 0, 0, 1, 0);
        await raw.SendAsync(login, IscsiTextParameters.Encode(keys));
        var (bhs, data) = await raw.ReceiveAsync(TimeSpan.FromSeconds(10)) ?? throw new IOException("the target closed the connection during login");
        var pairs = new List<KeyValuePair<string, string>>();
        Assert.True(IscsiTextParameters.TryParse(data, IscsiTextLimits.Default, pairs, out string? error), error);
        return (LoginResponseHeader.Read(bhs), pairs.ToDictionary(p => p.Key, p => p.Value));
    }

    [Fact]
    public async Task Discovery_and_normal_logins_answer_the_marker_keys_no_and_go_to_full_feature_in_one_step()
    {
        // A NotUnderstood answer to IFMarker/OFMarker makes open-iscsi send another Login Request after the target
        // already entered full feature phase: the discovery session was rejected and the normal login never finished.
        await using var server = new EmulatorServer();
        foreach (var (keys, isid) in new[] { (DiscoveryKeys, 0x00023d000000UL), (NormalKeys(server.Iqn), 0x00023d000001UL) })
        {
            var (header, answer) = await LoginAsync(server, keys, isid);
            Assert.Equal(0, header.StatusClass);
            Assert.True(header.Transit);
            Assert.Equal(LoginStage.FullFeaturePhase, header.NextStage);
            Assert.Equal("No", answer["IFMarker"]);
            Assert.Equal("No", answer["OFMarker"]);
            Assert.DoesNotContain(answer, kv => kv.Value is "NotUnderstood" or "Reject");
            // Every key the initiator offered got an answer (declarative ones excepted), so it has nothing left to negotiate.
            foreach (var (key, _) in keys.Where(k => IscsiKeys.TryGet(k.Key, out var d) && d.Kind != IscsiKeyKind.Declarative))
            {
                Assert.True(answer.ContainsKey(key), $"no answer to {key}");
            }
        }

        Assert.DoesNotContain(server.Log.Lines, l => l.StartsWith("warn:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Marker_intervals_are_irrelevant_when_markers_are_off()
    {
        await using var server = new EmulatorServer();
        var keys = NormalKeys(server.Iqn).Append(new("OFMarkInt", "2048~8192")).Append(new("IFMarkInt", "2048~8192")).ToArray();
        var (header, answer) = await LoginAsync(server, keys, 0x00023d000002);
        Assert.Equal(0, header.StatusClass);
        Assert.Equal("Irrelevant", answer["OFMarkInt"]);
        Assert.Equal("Irrelevant", answer["IFMarkInt"]);
    }

    [Fact]
    public async Task Discovery_advertises_the_configured_portal_behind_a_port_forward()
    {
        await using var server = new EmulatorServer(iscsiOptions: new IscsiTargetOptions { AdvertisedPortal = "10.0.2.100:3260" });
        var targets = await IscsiTransport.DiscoverAsync("127.0.0.1", server.Port, new IscsiInitiatorOptions { InitiatorName = Initiator });
        Assert.Equal(["10.0.2.100:3260,1"], Assert.Single(targets).Addresses);
    }

    [Theory]
    [InlineData("10.0.2.100", "no port")]
    [InlineData("10.0.2.100:0", "not 1–65535")]
    [InlineData("host:70000", "not 1–65535")]
    [InlineData("fd00::1:3260", "needs brackets")]
    [InlineData("[fd00::zz]:3260", "not a bracketed IPv6 address")]
    [InlineData("a,b:3260", "not allowed")]
    public void A_bad_advertised_portal_is_refused_naming_the_setting(string portal, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new IscsiTargetOptions { AdvertisedPortal = portal }.Validate());
        Assert.Contains($"AdvertisedPortal '{portal}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.2.100:3260")]
    [InlineData("[fd00::1]:3260")]
    [InlineData("san-a.example.com:860")]
    public void Good_advertised_portals_pass(string portal) => new IscsiTargetOptions { AdvertisedPortal = portal }.Validate();
}
