namespace HwFence.Scsi.Tests.Fakes;

/// <summary>Seeded mutations for parser fuzz loops: bit flips, byte sets, truncation, extension, length-field lies.</summary>
internal static class Fuzz
{
    public static byte[] Mutate(Random rng, byte[] seed)
    {
        var b = seed.ToArray();
        int rounds = rng.Next(1, 5);
        for (int r = 0; r < rounds; r++)
        {
            switch (rng.Next(6))
            {
                case 0 when b.Length > 0:
                    b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1 when b.Length > 0:
                    b[rng.Next(b.Length)] = (byte)rng.Next(256);
                    break;
                case 2:
                    b = b[..rng.Next(b.Length + 1)];
                    break;
                case 3:
                    var extra = new byte[rng.Next(1, 40)];
                    rng.NextBytes(extra);
                    b = [.. b, .. extra];
                    break;
                case 4 when b.Length > 0:
                    b[rng.Next(Math.Min(b.Length, 8))] = rng.Next(2) == 0 ? (byte)0xFF : (byte)0x00; // length fields live up front
                    break;
                default:
                    if (b.Length > 1)
                    {
                        int i = rng.Next(b.Length - 1);
                        (b[i], b[i + 1]) = (b[i + 1], b[i]);
                    }

                    break;
            }
        }

        return b;
    }
}
