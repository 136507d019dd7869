namespace HwFence.Bench;

/// <summary>Console harnesses for measurements that need live targets and processes. Add one case per harness.</summary>
internal static class Harnesses
{
    public static int Run(string[] args)
    {
        string name = args.Length > 0 ? args[0] : "";
        switch (name)
        {
            default:
                Console.Error.WriteLine($"unknown harness '{name}'. Harnesses: (none yet)");
                return 2;
        }
    }
}
