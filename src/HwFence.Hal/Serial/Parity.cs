namespace HwFence.Hal.Serial;

public enum Parity { None, Odd, Even }
