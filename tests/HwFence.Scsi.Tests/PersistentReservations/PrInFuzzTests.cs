using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.Tests.Fakes;

namespace HwFence.Scsi.Tests.PersistentReservations;

/// <summary>Seeded mutation fuzzing: no exception may escape a PR TryParse, whatever the bytes.</summary>
public sealed class PrInFuzzTests
{
    private const int Iterations = 20_000;

    private static void Run(byte[][] seeds, Func<byte[], (bool Ok, string? Error)> parse, int seed)
    {
        var rng = new Random(seed);
        for (int i = 0; i < Iterations; i++)
        {
            var input = Fuzz.Mutate(rng, seeds[i % seeds.Length]);
            (bool ok, string? error) = parse(input);
            Assert.True(ok ^ (error is not null), $"iteration {i}: exactly one of result/error ({Convert.ToHexString(input)})");
        }
    }

    private static byte[] Sized(Func<byte[], int> write, int size = 512)
    {
        var b = new byte[size];
        return b[..write(b)];
    }

    [Fact]
    public void ReadKeys() => Run(
        [Sized(b => PrReadKeysData.Write(b, 9, [1, 2, 3])), Sized(b => PrReadKeysData.Write(b, 0, []))],
        d => (PrReadKeysData.TryParse(d, out _, out var e), e), 1);

    [Fact]
    public void ReadReservation() => Run(
        [Sized(b => PrReadReservationData.Write(b, 3, new PrReservation(5, PersistentReservationType.ExclusiveAccess))), Sized(b => PrReadReservationData.Write(b, 1, null))],
        d => (PrReadReservationData.TryParse(d, out _, out var e), e), 2);

    [Fact]
    public void ReportCapabilities() => Run(
        [Sized(b => new PrCapabilities(true, true, true, true, true, true, 1, true, 0xEA01).Write(b))],
        d => (PrCapabilities.TryParse(d, out _, out var e), e), 3);

    [Fact]
    public void ReadFullStatus()
    {
        var tidA = new byte[TransportId.IscsiLength("iqn.2026-01.t:a", "400001370000")];
        TransportId.WriteIscsi(tidA, "iqn.2026-01.t:a", "400001370000");
        TransportId.TryParse(tidA, out var a, out _, out _);
        var fc = new byte[24];
        TransportId.TryParse(fc, out var f, out _, out _);
        var seed = Sized(b => PrFullStatusData.Write(b, 2,
        [
            new PrFullStatusDescriptor(1, true, false, 0, 0, 1, a!),
            new PrFullStatusDescriptor(2, false, true, 0, PersistentReservationType.WriteExclusive, 2, f!),
        ]));
        Run([seed], d => (PrFullStatusData.TryParse(d, out var r, out var e), e), 4);
    }

    [Fact]
    public void PrOutParameterList() => Run(
        [Sized(b => new PrOutParameterList(1, 2, PrOutFlags.SpecIPt, new byte[24]).Write(b)), Sized(b => new PrOutParameterList(1, 2, PrOutFlags.Aptpl).Write(b))],
        d => (HwFence.Scsi.PersistentReservations.PrOutParameterList.TryParse(d, out _, out var e), e), 5);
}
