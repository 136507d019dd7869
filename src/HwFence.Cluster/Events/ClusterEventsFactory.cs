using HwFence.Cluster.Configuration;

namespace HwFence.Cluster.Events;

/// <summary>Builds a node's event pipeline from the config: the JSON-lines log in state_dir and the optional notification command.</summary>
public static class ClusterEventsFactory
{
    /// <summary>File name of the event log inside <see cref="ClusterConfig.StateDirectory"/>.</summary>
    public const string EventLogFileName = "events.jsonl";

    public static EventBus Create(ClusterConfig config, Action<string>? notificationFailures = null)
    {
        var outputs = new List<IClusterEventSink> { new JsonLineEventLog(Path.Combine(config.StateDirectory, EventLogFileName)) };
        if (config.Notification is { } n)
        {
            var command = new NotificationCommand(n);
            if (notificationFailures is not null)
            {
                command.Failures += notificationFailures;
            }

            outputs.Add(command);
        }

        return new EventBus([.. outputs]);
    }
}
