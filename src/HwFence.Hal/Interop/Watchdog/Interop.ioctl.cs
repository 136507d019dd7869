namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Watchdog
    {
        // Linux watchdog API (Documentation/watchdog/watchdog-api.rst, include/uapi/linux/watchdog.h),
        // WATCHDOG_IOCTL_BASE 'W', asm-generic ioctl encoding (x86, arm, arm64, riscv):
        //   _IOR(t, nr, int)  = 0x8000_0000 | 4 << 16 | t << 8 | nr
        //   _IOWR(t, nr, int) = 0xC000_0000 | 4 << 16 | t << 8 | nr

        /// <summary>WDIOC_KEEPALIVE = _IOR('W', 5, int): pet the watchdog.</summary>
        internal const ulong WDIOC_KEEPALIVE = 0x80045705;

        /// <summary>WDIOC_SETTIMEOUT = _IOWR('W', 6, int): seconds in, seconds the driver chose out.</summary>
        internal const ulong WDIOC_SETTIMEOUT = 0xC0045706;

        /// <summary>WDIOC_GETTIMEOUT = _IOR('W', 7, int).</summary>
        internal const ulong WDIOC_GETTIMEOUT = 0x80045707;
        // The calls themselves go through Interop.Libc.Ioctl on a SafeDeviceHandle (one binding per native function).
    }
}
