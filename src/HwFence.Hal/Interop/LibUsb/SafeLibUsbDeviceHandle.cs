namespace HwFence.Hal;

/// <summary>
/// An open USB device (libusb_device_handle*) with interface 0 claimed. It keeps its context alive
/// (DangerousAddRef) so the context is never exited under an open device.
/// </summary>
internal sealed class SafeLibUsbDeviceHandle : System.Runtime.InteropServices.SafeHandle
{
    private SafeLibUsbContextHandle? _context;
    private int _claimedInterface = -1;

    public SafeLibUsbDeviceHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>Opens the first device with <paramref name="vendorId"/>:<paramref name="productId"/> and claims <paramref name="interfaceNumber"/>.</summary>
    public static SafeLibUsbDeviceHandle Open(SafeLibUsbContextHandle context, ushort vendorId, ushort productId, int interfaceNumber, string name)
    {
        nint raw = Interop.LibUsb.OpenDeviceWithVidPid(context, vendorId, productId);
        if (raw == 0)
        {
            throw new IOException(
                $"{name}: no USB device {vendorId:x4}:{productId:x4} could be opened — check that the relay board is plugged in (lsusb) and that the daemon may open it (udev rule or root)");
        }

        var h = new SafeLibUsbDeviceHandle();
        bool added = false;
        context.DangerousAddRef(ref added);
        h._context = context;
        h.SetHandle(raw);

        _ = Interop.LibUsb.SetAutoDetachKernelDriver(h, 1); // LIBUSB_ERROR_NOT_SUPPORTED off Linux: claim then tells
        int rc = Interop.LibUsb.ClaimInterface(h, interfaceNumber);
        if (rc < 0)
        {
            h.Dispose();
            throw Interop.LibUsb.ToIOException(name, $"libusb_claim_interface({interfaceNumber})", rc);
        }

        h._claimedInterface = interfaceNumber;
        return h;
    }

    protected override bool ReleaseHandle()
    {
        if (_claimedInterface >= 0)
        {
            _ = Interop.LibUsb.ReleaseInterface(handle, _claimedInterface);
        }

        Interop.LibUsb.Close(handle);
        _context?.DangerousRelease();
        return true;
    }
}
