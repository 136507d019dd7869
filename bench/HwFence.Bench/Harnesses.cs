namespace HwFence.Bench;

/// <summary>Console harnesses for measurements that need live targets and processes. Add one case per harness.</summary>
internal static class Harnesses
{
    public static int Run(string[] args)
    {
        string name = args.Length > 0 ? args[0] : "";
        switch (name)
        {
            case "iscsi": return Iscsi.IscsiTurHarness.Run(args.Skip(1).ToArray());
            case "heartbeat": return Heartbeat.HeartbeatHarnesses.Run(args.Skip(1).ToArray());
            case "emulator": return Emulator.EmulatorBenchHarness.Run(args.Skip(1).ToArray());
            case "serial-rtt": return Hal.SerialRoundTripHarness.Run(args.Skip(1).ToArray());
            case "cluster": return Cluster.ClusterStoreHarness.Run(args.Skip(1).ToArray());
            case "failover": return Failover.FailoverHarness.Run(args.Skip(1).ToArray());
            case "soak": return Failover.SoakHarness.Run(args.Skip(1).ToArray());
            default:
                Console.Error.WriteLine($"unknown harness '{name}'. Harnesses: iscsi, heartbeat, emulator, serial-rtt, cluster, failover, soak");
                return 2;
        }
    }
}
