namespace HwFence.Detection;

/// <summary>
/// The φ accrual suspicion level of one path: N. Hayashibara, X. Défago, R. Yared, T. Katayama,
/// "The φ Accrual Failure Detector", Proc. 23rd IEEE SRDS, 2004 (doi:10.1109/RELDIS.2004.1353004).
/// Keeps a fixed window of heartbeat inter-arrival times with a running sum and sum of squares
/// (O(1) per heartbeat, no allocation after construction). Not thread-safe: the owning
/// <see cref="PathMonitor"/> serialises access.
/// </summary>
internal sealed class PhiAccrualEstimator
{
    private readonly double[] _intervalsMs;
    private readonly double _minStdDevMs;
    private int _next;
    private int _count;
    private double _sum;
    private double _sumOfSquares;

    public PhiAccrualEstimator(int windowSize, double minStdDevMs)
    {
        _intervalsMs = new double[windowSize];
        _minStdDevMs = minStdDevMs;
    }

    public int SampleCount => _count;

    public double MeanMs => _count == 0 ? 0 : _sum / _count;

    public double StdDevMs
    {
        get
        {
            if (_count == 0)
            {
                return _minStdDevMs;
            }

            double mean = _sum / _count;
            double variance = Math.Max(0, (_sumOfSquares / _count) - (mean * mean));
            return Math.Max(Math.Sqrt(variance), _minStdDevMs);
        }
    }

    /// <summary>Adds one inter-arrival time.</summary>
    public void Add(double intervalMs)
    {
        if (_count == _intervalsMs.Length)
        {
            double old = _intervalsMs[_next];
            _sum -= old;
            _sumOfSquares -= old * old;
        }
        else
        {
            _count++;
        }

        _intervalsMs[_next] = intervalMs;
        _sum += intervalMs;
        _sumOfSquares += intervalMs * intervalMs;
        _next = (_next + 1) % _intervalsMs.Length;
    }

    /// <summary>
    /// φ after <paramref name="silenceMs"/> without a heartbeat (paper §3):
    /// <code>
    ///   φ(t_now) = −log10( P_later(t_now − T_last) ),   P_later(t) = 1 − F(t)
    /// </code>
    /// where F is the normal CDF with the window's mean μ and deviation σ. F is computed with the
    /// logistic approximation of S. R. Bowling et al., "A logistic approximation to the cumulative
    /// normal distribution", JIEM 2009: with y = (t − μ)/σ and z = 1.5976·y + 0.070566·y³,
    /// F ≈ 1/(1 + e^(−z)), hence P_later ≈ 1/(1 + e^z) and φ = log10(1 + e^z).
    /// Returns 0 until two samples exist (nothing to compare with).
    /// </summary>
    public double Phi(double silenceMs)
    {
        if (_count < 2)
        {
            return 0;
        }

        double y = (silenceMs - MeanMs) / StdDevMs;
        double z = (1.5976 * y) + (0.070566 * y * y * y);
        // log10(1 + e^z): for large z, e^z overflows but log10(1 + e^z) → z / ln 10.
        return z > 30 ? z / Math.Log(10) : Math.Log10(1 + Math.Exp(z));
    }
}
