namespace HwFence.Hal;

/// <summary>A libusb context (libusb_context*), exited on release.</summary>
internal sealed class SafeLibUsbContextHandle : System.Runtime.InteropServices.SafeHandle
{
    public SafeLibUsbContextHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>libusb_init; throws when libusb-1.0 is missing or fails to start.</summary>
    public static unsafe SafeLibUsbContextHandle Create()
    {
        nint ctx = 0;
        int rc;
        try
        {
            rc = Interop.LibUsb.Init(&ctx);
        }
        catch (DllNotFoundException ex)
        {
            throw new IOException($"libusb-1.0 ({Interop.Libraries.LibUsb}) is not installed — apt-get install libusb-1.0-0", ex);
        }

        if (rc < 0)
        {
            throw Interop.LibUsb.ToIOException("libusb", "libusb_init", rc);
        }

        var h = new SafeLibUsbContextHandle();
        h.SetHandle(ctx);
        return h;
    }

    protected override bool ReleaseHandle()
    {
        Interop.LibUsb.Exit(handle);
        return true;
    }
}
