using System.Collections.Concurrent;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Iscsi;

namespace HwFence.Scsi.Addressing;

/// <summary>
/// Opens the right <see cref="IScsiTransport"/> for a device address. SG_IO ("sg") and SPTI
/// ("spti") are built in; iSCSI ("iscsi") is the built-in initiator; higher layers plug in more
/// schemes — the emulator registers "emu" — with <see cref="RegisterScheme"/>, so this layer never
/// references them.
/// </summary>
public sealed class ScsiTransportFactory
{
    private readonly ConcurrentDictionary<string, ScsiTransportOpener> _openers = new(StringComparer.OrdinalIgnoreCase);

    public ScsiTransportFactory()
    {
        _openers["sg"] = static (a, _, _) => ValueTask.FromResult<IScsiTransport>(SgIoTransport.Open(a.Path!));
        _openers["spti"] = static (a, _, _) => ValueTask.FromResult<IScsiTransport>(SptiTransport.Open(a.Path!));
        _openers["iscsi"] = OpenIscsiAsync;
    }

    /// <summary>Registers (or replaces) the opener for <paramref name="scheme"/>, e.g. "emu".</summary>
    public void RegisterScheme(string scheme, ScsiTransportOpener opener)
    {
        ArgumentNullException.ThrowIfNull(opener);
        if (!DeviceAddress.IsSchemeName((scheme ?? "").ToLowerInvariant()))
        {
            throw new ArgumentException($"'{scheme}' is not a valid scheme name (letters, digits, '+', '-', '.')", nameof(scheme));
        }

        _openers[scheme!] = opener;
    }

    /// <summary>True when addresses of <paramref name="scheme"/> can be opened.</summary>
    public bool IsRegistered(string scheme) => _openers.ContainsKey(scheme);

    /// <summary>Parses <paramref name="address"/> (throws <see cref="DeviceAddressFormatException"/>) and opens it.</summary>
    public ValueTask<IScsiTransport> OpenAsync(string address, ScsiTransportOpenOptions? options = null, CancellationToken cancellationToken = default) =>
        OpenAsync(DeviceAddress.Parse(address), options, cancellationToken);

    /// <summary>
    /// Opens <paramref name="address"/>. Throws <see cref="ScsiTransportException"/> when the
    /// scheme has no opener (<see cref="ScsiTransportError.NotSupported"/>) or the device cannot be opened.
    /// </summary>
    public ValueTask<IScsiTransport> OpenAsync(DeviceAddress address, ScsiTransportOpenOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!_openers.TryGetValue(address.Scheme, out var opener))
        {
            string hint = address.Kind == DeviceAddressKind.Emulator
                ? "emulated disks exist only inside `hwfence emulator` / `hwfence demo` processes, which register the emu: scheme"
                : $"no transport is registered for scheme '{address.Scheme}'";
            throw new ScsiTransportException(address.Text, ScsiTransportError.NotSupported, hint);
        }

        return opener(address, options ?? new ScsiTransportOpenOptions(), cancellationToken);
    }

    /// <summary>Opens the transport and wraps it in a <see cref="ScsiDevice"/> (default options) that owns it.</summary>
    public ValueTask<ScsiDevice> OpenDeviceAsync(string address, ScsiTransportOpenOptions? options, CancellationToken cancellationToken) =>
        OpenDeviceAsync(address, options, null, cancellationToken);

    /// <summary>Opens the transport and wraps it in a <see cref="ScsiDevice"/> that owns it.</summary>
    public async ValueTask<ScsiDevice> OpenDeviceAsync(
        string address, ScsiTransportOpenOptions? options = null, ScsiDeviceOptions? deviceOptions = null, CancellationToken cancellationToken = default)
    {
        var transport = await OpenAsync(address, options, cancellationToken).ConfigureAwait(false);
        try
        {
            return new ScsiDevice(transport, deviceOptions ?? new ScsiDeviceOptions { TimeProvider = options?.TimeProvider ?? TimeProvider.System });
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false); // invalid device options: do not leak the session
            throw;
        }
    }

    /// <summary>
    /// iscsi://host[:port]/&lt;target-iqn&gt;/&lt;lun&gt;: logs in with the built-in initiator
    /// (<see cref="IscsiTransport"/>) as <see cref="ScsiTransportOpenOptions.InitiatorName"/>.
    /// </summary>
    private static async ValueTask<IScsiTransport> OpenIscsiAsync(DeviceAddress address, ScsiTransportOpenOptions options, CancellationToken cancellationToken)
    {
        var initiator = (options.Iscsi ?? new IscsiInitiatorOptions()) with { TimeProvider = options.TimeProvider };
        if (options.InitiatorName is { } name)
        {
            initiator = initiator with { InitiatorName = name };
        }

        if (options.Isid is { } isid)
        {
            initiator = initiator with { Isid = isid };
        }

        return await IscsiTransport.ConnectAsync(address.Host!, address.Port, address.TargetName!, address.Lun, initiator, cancellationToken).ConfigureAwait(false);
    }
}
