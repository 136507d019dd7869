using System.CommandLine;
using System.Globalization;
using System.Text;
using HwFence.Scsi.Inquiry;

namespace HwFence.Cli.Commands.Scsi;

/// <summary><c>hwfence scsi inquiry DEVICE [--page N]</c>: standard INQUIRY data or a VPD page (sg_inq).</summary>
internal static class InquiryCommand
{
    public static Command Create(ScsiCliRunner runner)
    {
        var command = new Command("inquiry", "INQUIRY: vendor, product and revision, or a vital product data page. " + ScsiExitCodes.HelpText);
        var options = new ScsiCliOptions();
        var page = new Option<string?>("--page", "-p")
        {
            Description = "VPD page: a number (0x83, 131) or sv (0x00 supported pages), sn (0x80 serial number), di (0x83 device identification)",
        };
        options.AddTo(command);
        command.Options.Add(page);
        command.Validators.Add(r =>
        {
            if (r.GetValue(page) is { } text && !TryParsePage(text, out _))
            {
                r.AddError($"--page '{text}': not a page number 0-255 (decimal or 0x hex) or one of sv, sn, di");
            }
        });
        runner.SetAction(command, options, async call =>
        {
            string? pageText = call.Parse.GetValue(page);
            if (pageText is null)
            {
                var d = await call.Device.InquiryAsync(call.CancellationToken).ConfigureAwait(false);
                return call.Print(
                    $"standard INQUIRY:\n" +
                    $"  PQual={d.PeripheralQualifier}  PDT={d.DeviceType} ({DeviceTypeName(d.DeviceType)})  RMB={(d.Removable ? 1 : 0)}  Version=0x{d.Version:x2} ({VersionName(d.Version)})\n" +
                    $"  HiSup={(d.HiSup ? 1 : 0)}  TPGS={d.Tpgs}  MultiP={(d.MultiPort ? 1 : 0)}  CmdQue={(d.CommandQueuing ? 1 : 0)}  Protect={(d.Protect ? 1 : 0)}\n" +
                    $" Vendor identification: {d.Vendor}\n" +
                    $" Product identification: {d.Product}\n" +
                    $" Product revision level: {d.Revision}",
                    new { device = call.Address, ok = true, vendor = d.Vendor, product = d.Product, revision = d.Revision, deviceType = d.DeviceType, version = d.Version, tpgs = d.Tpgs, multiPort = d.MultiPort, commandQueuing = d.CommandQueuing });
            }

            TryParsePage(pageText, out byte code);
            switch (code)
            {
                case VpdPageHeader.SupportedPages:
                {
                    var p = await call.Device.SupportedVpdPagesAsync(call.CancellationToken).ConfigureAwait(false);
                    var sb = new StringBuilder("Supported VPD pages VPD page:");
                    foreach (byte b in p.Pages)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"\n  0x{b:x2}  {PageName(b)}");
                    }

                    return call.Print(sb.ToString(), new { device = call.Address, ok = true, page = "0x00", pages = p.Pages.Select(b => $"0x{b:x2}").ToArray() });
                }

                case VpdPageHeader.UnitSerialNumber:
                {
                    var p = await call.Device.UnitSerialNumberAsync(call.CancellationToken).ConfigureAwait(false);
                    return call.Print($"Unit serial number VPD page:\n  Unit serial number: {p.SerialNumber}", new { device = call.Address, ok = true, page = "0x80", serialNumber = p.SerialNumber });
                }

                case VpdPageHeader.DeviceIdentification:
                {
                    var p = await call.Device.DeviceIdentificationAsync(call.CancellationToken).ConfigureAwait(false);
                    var sb = new StringBuilder("Device Identification VPD page:");
                    foreach (var d in p.Designators)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"\n  Designation descriptor: {d.Association} associated, designator type: {d.Type}, code set: {d.CodeSet}\n    {d}");
                    }

                    return call.Print(sb.ToString(), new
                    {
                        device = call.Address,
                        ok = true,
                        page = "0x83",
                        logicalUnitId = p.LogicalUnitId?.ToString(),
                        designators = p.Designators.Select(d => new { type = d.Type.ToString(), association = d.Association.ToString(), codeSet = d.CodeSet.ToString(), value = d.ToString() }).ToArray(),
                    });
                }

                default:
                {
                    byte[] raw = await call.Device.InquiryVpdAsync(code, call.CancellationToken).ConfigureAwait(false);
                    return call.Print($"VPD page 0x{code:x2} ({raw.Length} bytes):\n{HexDump(raw)}", new { device = call.Address, ok = true, page = $"0x{code:x2}", hex = Convert.ToHexString(raw) });
                }
            }
        });
        return command;
    }

    internal static bool TryParsePage(string text, out byte page)
    {
        string t = text.Trim().ToLowerInvariant();
        switch (t)
        {
            case "sv":
                page = VpdPageHeader.SupportedPages;
                return true;
            case "sn":
                page = VpdPageHeader.UnitSerialNumber;
                return true;
            case "di":
                page = VpdPageHeader.DeviceIdentification;
                return true;
        }

        return t.StartsWith("0x", StringComparison.Ordinal)
            ? byte.TryParse(t.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out page)
            : byte.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out page);
    }

    private static string PageName(byte page) => page switch
    {
        0x00 => "Supported VPD pages",
        0x80 => "Unit serial number",
        0x83 => "Device identification",
        0x86 => "Extended INQUIRY data",
        0xB0 => "Block limits",
        0xB1 => "Block device characteristics",
        0xB2 => "Logical block provisioning",
        _ => "",
    };

    private static string DeviceTypeName(byte type) => type switch
    {
        0x00 => "disk",
        0x01 => "tape",
        0x05 => "cd/dvd",
        0x0C => "storage array controller",
        0x0D => "enclosure services device",
        0x1F => "unknown or no device type",
        _ => $"type 0x{type:x2}",
    };

    private static string VersionName(byte version) => version switch
    {
        0x00 => "no standard claimed",
        0x04 => "SPC-2",
        0x05 => "SPC-3",
        0x06 => "SPC-4",
        0x07 => "SPC-5",
        _ => "other",
    };

    internal static string HexDump(ReadOnlySpan<byte> data)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < data.Length; i += 16)
        {
            var row = data.Slice(i, Math.Min(16, data.Length - i));
            sb.Append(CultureInfo.InvariantCulture, $" {i:x2}    ");
            foreach (byte b in row)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{b:x2} ");
            }

            if (i + 16 < data.Length)
            {
                sb.Append('\n');
            }
        }

        return sb.ToString();
    }
}
