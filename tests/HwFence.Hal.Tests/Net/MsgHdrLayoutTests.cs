using System.Runtime.InteropServices;
using static HwFence.Hal.Interop.Libc;

namespace HwFence.Hal.Tests.Net;

/// <summary>struct iovec / msghdr / mmsghdr as glibc lays them out on LP64 Linux (x86-64, arm64): what sendmmsg(2) reads.</summary>
public class MsgHdrLayoutTests
{
    [Fact]
    public unsafe void IoVecIsPointerThenSize()
    {
        Assert.Equal(16, sizeof(IoVec));
        Assert.Equal(0, (int)Marshal.OffsetOf<IoVec>(nameof(IoVec.Base)));
        Assert.Equal(8, (int)Marshal.OffsetOf<IoVec>(nameof(IoVec.Length)));
    }

    [Fact]
    public unsafe void MsgHdrMatchesGlibc()
    {
        Assert.Equal(56, sizeof(MsgHdr));
        Assert.Equal(0, (int)Marshal.OffsetOf<MsgHdr>(nameof(MsgHdr.Name)));
        Assert.Equal(8, (int)Marshal.OffsetOf<MsgHdr>(nameof(MsgHdr.NameLength)));
        Assert.Equal(16, (int)Marshal.OffsetOf<MsgHdr>(nameof(MsgHdr.Iov)));
        Assert.Equal(24, (int)Marshal.OffsetOf<MsgHdr>(nameof(MsgHdr.IovLength)));
        Assert.Equal(32, (int)Marshal.OffsetOf<MsgHdr>(nameof(MsgHdr.Control)));
        Assert.Equal(40, (int)Marshal.OffsetOf<MsgHdr>(nameof(MsgHdr.ControlLength)));
        Assert.Equal(48, (int)Marshal.OffsetOf<MsgHdr>(nameof(MsgHdr.Flags)));
    }

    [Fact]
    public unsafe void MMsgHdrIsMsgHdrThenLength()
    {
        Assert.Equal(64, sizeof(MMsgHdr));
        Assert.Equal(0, (int)Marshal.OffsetOf<MMsgHdr>(nameof(MMsgHdr.Header)));
        Assert.Equal(56, (int)Marshal.OffsetOf<MMsgHdr>(nameof(MMsgHdr.Length)));
    }
}
