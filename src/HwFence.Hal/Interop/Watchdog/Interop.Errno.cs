namespace HwFence.Hal;

internal static partial class Interop
{
    /// <summary>
    /// The one place where errno becomes an exception for the watchdog and GPIO bindings
    /// (dotnet/runtime Interop.IOErrors.cs pattern): the message names the device, the operation,
    /// errno's name and strerror's text (<see cref="Errors.Describe"/>), plus what to do for the common causes.
    /// </summary>
    internal static IOException ErrnoToIOException(string device, string operation, int errno)
    {
        string remedy = errno switch
        {
            Errors.ENOENT or Errors.ENODEV or Errors.ENXIO => " — the device does not exist on this machine (is the driver loaded?)",
            Errors.EACCES or Errors.EPERM => " — run as root or give the daemon's user access to the device",
            Errors.EBUSY => " — another process holds it (e.g. watchdog.service or another daemon)",
            Errors.EINVAL => " — the driver rejected the value (e.g. a timeout outside its range)",
            _ => "",
        };
        return new IOException($"{device}: {operation} failed: {Errors.Describe(errno)}{remedy}", errno);
    }
}
