namespace HwFence.Detection.Tests;

public sealed class PhiAccrualEstimatorTests
{
    [Fact]
    public void Phi_is_zero_without_history_and_grows_with_silence()
    {
        var phi = new PhiAccrualEstimator(windowSize: 100, minStdDevMs: 10);
        Assert.Equal(0, phi.Phi(1000));
        for (int i = 0; i < 50; i++)
        {
            phi.Add(i % 2 == 0 ? 90 : 110);
        }

        Assert.Equal(100, phi.MeanMs, 6);
        Assert.Equal(10, phi.StdDevMs, 6);
        double atMean = phi.Phi(100);
        Assert.Equal(Math.Log10(2), atMean, 6);      // P_later(μ) = 1/2
        Assert.True(phi.Phi(50) < atMean);
        Assert.True(phi.Phi(130) > atMean);
        Assert.True(phi.Phi(200) > phi.Phi(130));
        Assert.True(double.IsFinite(phi.Phi(100_000)), "no overflow for a long silence");
    }

    [Fact]
    public void Window_forgets_old_samples()
    {
        var phi = new PhiAccrualEstimator(windowSize: 4, minStdDevMs: 1);
        foreach (double s in new double[] { 1000, 1000, 1000, 1000, 100, 100, 100, 100 })
        {
            phi.Add(s);
        }

        Assert.Equal(4, phi.SampleCount);
        Assert.Equal(100, phi.MeanMs, 6);
        Assert.Equal(1, phi.StdDevMs, 6);            // floor: the window is perfectly regular
    }
}
