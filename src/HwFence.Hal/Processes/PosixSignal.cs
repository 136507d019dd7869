namespace HwFence.Hal.Processes;

/// <summary>Linux signal numbers HwFence sends to processes (signal(7), x86-64 and arm64).</summary>
public enum PosixSignal
{
    Hangup = 1,
    Interrupt = 2,
    Kill = 9,
    Terminate = 15,
    Continue = 18,
    Stop = 19,
}
