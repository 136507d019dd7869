using HwFence.Cluster.Configuration;

namespace HwFence.Cluster.Tests.Configuration;

public class TimingsOptionsValidatorTests
{
    [Fact]
    public void DefaultsAreValid() => Assert.Empty(TimingsOptionsValidator.Validate(new TimingsOptions()));

    [Fact]
    public void NonPositiveValuesAreNamed()
    {
        var errors = TimingsOptionsValidator.Validate(new TimingsOptions { StopGrace = TimeSpan.Zero });
        Assert.Equal("stop_grace", Assert.Single(errors).Field);
    }

    [Fact]
    public void AckTimeoutMustBeBelowDeadtime()
    {
        var errors = TimingsOptionsValidator.Validate(new TimingsOptions { QuorumAckTimeout = TimeSpan.FromSeconds(20) });
        Assert.Contains(errors, e => e.Field == "quorum_ack_timeout");
    }

    [Fact]
    public void FailoverBudgetIsDeadtimePlusFencePlusStart() =>
        Assert.Equal(TimeSpan.FromSeconds(70), new TimingsOptions().FailoverBudget);
}
