namespace HwFence.Hal.Serial;

public enum StopBits { One = 1, Two = 2 }
