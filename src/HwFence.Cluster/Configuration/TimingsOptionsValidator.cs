namespace HwFence.Cluster.Configuration;

/// <summary>Checks the relations between timings; each failure names the field and the remedy.</summary>
public static class TimingsOptionsValidator
{
    /// <summary>Returns one message per broken rule, as (field, why); empty when valid.</summary>
    public static IReadOnlyList<(string Field, string Message)> Validate(TimingsOptions o)
    {
        var errors = new List<(string, string)>();
        void Positive(string field, TimeSpan value)
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add((field, $"must be positive, got {value.TotalSeconds:0.###} s"));
            }
        }

        Positive("keepalive", o.Keepalive);
        Positive("warntime", o.Warntime);
        Positive("deadtime", o.Deadtime);
        Positive("initdead", o.Initdead);
        Positive("stop_grace", o.StopGrace);
        Positive("fence_timeout", o.FenceTimeout);
        Positive("quorum_ack_timeout", o.QuorumAckTimeout);
        Positive("resync_timeout", o.ResyncTimeout);
        Positive("reconcile_interval", o.ReconcileInterval);
        Positive("start_timeout", o.StartTimeout);
        if (errors.Count > 0)
        {
            return errors;
        }

        if (o.Warntime <= o.Keepalive)
        {
            errors.Add(("warntime", $"({o.Warntime.TotalSeconds:0.###} s) must exceed keepalive ({o.Keepalive.TotalSeconds:0.###} s), or every heartbeat gap looks late"));
        }

        if (o.Deadtime <= o.Warntime)
        {
            errors.Add(("deadtime", $"({o.Deadtime.TotalSeconds:0.###} s) must exceed warntime ({o.Warntime.TotalSeconds:0.###} s)"));
        }

        if (o.Deadtime < 2 * o.Keepalive)
        {
            errors.Add(("deadtime", $"({o.Deadtime.TotalSeconds:0.###} s) must be at least 2 × keepalive ({(2 * o.Keepalive).TotalSeconds:0.###} s): one lost heartbeat must not kill a node"));
        }

        if (o.Initdead < o.Deadtime)
        {
            errors.Add(("initdead", $"({o.Initdead.TotalSeconds:0.###} s) must be at least deadtime ({o.Deadtime.TotalSeconds:0.###} s); Heartbeat recommends 2 × deadtime"));
        }

        if (o.QuorumAckTimeout >= o.Deadtime)
        {
            errors.Add(("quorum_ack_timeout", $"({o.QuorumAckTimeout.TotalSeconds:0.###} s) must be below deadtime ({o.Deadtime.TotalSeconds:0.###} s), or a proposal outlives the verdict it was based on"));
        }

        return errors;
    }
}
