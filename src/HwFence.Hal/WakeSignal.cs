namespace HwFence.Hal;

/// <summary>
/// An eventfd that threads blocked in poll(2) also watch, so that Dispose/Cut/Reconnect wake them
/// at once instead of after their timeout. Once <see cref="Set"/> it stays readable until
/// <see cref="Reset"/>: every waiter sees it.
/// </summary>
internal sealed class WakeSignal : IDisposable
{
    private WakeSignal(SafeDeviceHandle handle) => Handle = handle;

    internal SafeDeviceHandle Handle { get; }

    internal static WakeSignal Create()
    {
        var handle = SafeDeviceHandle.FromFileDescriptor(Interop.Libc.EventFd(0, Interop.Libc.EFD_NONBLOCK | Interop.Libc.EFD_CLOEXEC));
        if (handle.IsInvalid)
        {
            int errno = Interop.Errors.Last;
            handle.Dispose();
            throw new IOException($"eventfd failed: {Interop.Errors.Describe(errno)} — the process is out of file descriptors (ulimit -n)");
        }

        return new WakeSignal(handle);
    }

    /// <summary>Makes the eventfd readable (adds 1 to its counter).</summary>
    internal unsafe void Set()
    {
        if (Handle.IsClosed)
        {
            return;
        }

        ulong one = 1;
        _ = Interop.Libc.Write(Handle, (byte*)&one, sizeof(ulong));
    }

    /// <summary>Drains the counter so the eventfd is no longer readable.</summary>
    internal unsafe void Reset()
    {
        ulong value;
        _ = Interop.Libc.Read(Handle, (byte*)&value, sizeof(ulong));
    }

    public void Dispose() => Handle.Dispose();
}
