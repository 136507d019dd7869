using HwFence.Hal.Scsi;
using HwFence.Scsi.Addressing;
using HwFence.Scsi.Tests.Fakes;

namespace HwFence.Scsi.Tests.Addressing;

public sealed class DeviceAddressTests
{
    [Theory]
    [InlineData("/dev/sg3", "/dev/sg3")]
    [InlineData("sg:/dev/sg3", "/dev/sg3")]
    [InlineData(" /dev/sdb ", "/dev/sdb")]
    public void Sg_io_paths(string text, string path)
    {
        var a = DeviceAddress.Parse(text);
        Assert.Equal(DeviceAddressKind.SgIo, a.Kind);
        Assert.Equal("sg", a.Scheme);
        Assert.Equal(path, a.Path);
    }

    [Fact]
    public void Windows_physical_drive()
    {
        var a = DeviceAddress.Parse(@"\\.\PhysicalDrive1");
        Assert.Equal(DeviceAddressKind.Spti, a.Kind);
        Assert.Equal(@"\\.\PhysicalDrive1", a.Path);
    }

    [Fact]
    public void Iscsi_with_and_without_port()
    {
        var a = DeviceAddress.Parse("iscsi://127.0.0.1:3261/iqn.2026-01.org.hwfence:disk0/1");
        Assert.Equal((DeviceAddressKind.Iscsi, "127.0.0.1", 3261, "iqn.2026-01.org.hwfence:disk0", 1), (a.Kind, a.Host, a.Port, a.TargetName, a.Lun));

        var b = DeviceAddress.Parse("iscsi://storage.example/iqn.2001-04.com.example:t1/0");
        Assert.Equal(3260, b.Port);
        Assert.Equal("storage.example", b.Host);

        var v6 = DeviceAddress.Parse("iscsi://[::1]:3262/naa.600140512345678/2");
        Assert.Equal(("::1", 3262, 2), (v6.Host, v6.Port, v6.Lun));
    }

    [Fact]
    public void Emulator_and_custom_schemes()
    {
        var e = DeviceAddress.Parse("emu:shared0");
        Assert.Equal((DeviceAddressKind.Emulator, "emu", "shared0", 0), (e.Kind, e.Scheme, e.Name, e.Lun));
        var e1 = DeviceAddress.Parse("emu:shared0/1");
        Assert.Equal(("shared0", 1), (e1.Name, e1.Lun));
        var c = DeviceAddress.Parse("nbd:foo");
        Assert.Equal((DeviceAddressKind.Custom, "nbd", "foo"), (c.Kind, c.Scheme, c.Name));
    }

    [Theory]
    [InlineData("", "address")]
    [InlineData("sdb", "scheme")]
    [InlineData("sg:dev/sg3", "path")]
    [InlineData(@"\\.\PhysicalDriveX", "drive number")]
    [InlineData(@"\\.\C:", "drive number")]
    [InlineData("iscsi:/host/iqn.x:y/1", "scheme")]
    [InlineData("iscsi:///iqn.x:y/1", "host")]
    [InlineData("iscsi://h:0/iqn.x:y/1", "port")]
    [InlineData("iscsi://h:99999/iqn.x:y/1", "port")]
    [InlineData("iscsi://h:ab/iqn.x:y/1", "port")]
    [InlineData("iscsi://[::1/iqn.x:y/1", "host")]
    [InlineData("iscsi://h", "target name")]
    [InlineData("iscsi://h/disk0/1", "target name")]
    [InlineData("iscsi://h/iqn.x:y", "LUN")]
    [InlineData("iscsi://h/iqn.x:y/", "LUN")]
    [InlineData("iscsi://h/iqn.x:y/-1", "LUN")]
    [InlineData("iscsi://h/iqn.x:y/20000", "LUN")]
    [InlineData("emu:", "name")]
    [InlineData("emu:/1", "name")]
    [InlineData("emu:d/x", "LUN")]
    [InlineData("1x:foo", "scheme")]
    public void Errors_name_the_field(string text, string field)
    {
        Assert.False(DeviceAddress.TryParse(text, out _, out var f, out var e));
        Assert.Equal(field, f);
        Assert.False(string.IsNullOrEmpty(e));
        var ex = Assert.Throws<DeviceAddressFormatException>(() => DeviceAddress.Parse(text));
        Assert.Equal(field, ex.Field);
        Assert.StartsWith($"device address '{text}': {field}: ", ex.Message);
    }

    [Fact]
    public async Task Factory_uses_registered_schemes_and_explains_missing_ones()
    {
        var factory = new ScsiTransportFactory();
        var fake = new ScriptedTransport("emu:d0");
        DeviceAddress? seen = null;
        factory.RegisterScheme("emu", (a, o, _) =>
        {
            seen = a;
            return ValueTask.FromResult<IScsiTransport>(fake);
        });

        await using var device = await factory.OpenDeviceAsync("emu:d0");
        Assert.Same(fake, device.Transport);
        Assert.Equal("d0", seen!.Name);

        var ex = await Assert.ThrowsAsync<ScsiTransportException>(async () => await new ScsiTransportFactory().OpenAsync("emu:d1"));
        Assert.Equal(ScsiTransportError.NotSupported, ex.Error);
        Assert.Contains("device emu:d1", ex.Message);
        Assert.Contains("register", ex.Message);

        Assert.Throws<ArgumentException>(() => factory.RegisterScheme("1bad", (_, _, _) => default));
        Assert.True(factory.IsRegistered("sg"));
        Assert.True(factory.IsRegistered("iscsi"));
    }

    [Fact]
    public async Task Factory_sg_io_on_a_missing_node_fails_with_a_transport_error_naming_it()
    {
        var ex = await Assert.ThrowsAsync<ScsiTransportException>(async () => await new ScsiTransportFactory().OpenAsync("/dev/sg-hwfence-missing"));
        Assert.Contains("/dev/sg-hwfence-missing", ex.Message);
    }
}
