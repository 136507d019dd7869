using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>
        /// struct iovec (sys/uio.h), LP64 (x86-64, arm64): 16 bytes.
        /// <code>
        ///  0  void  *iov_base
        ///  8  size_t iov_len
        /// </code>
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct IoVec
        {
            internal void* Base;
            internal nuint Length;
        }

        /// <summary>
        /// struct msghdr (sys/socket.h, glibc), LP64: 56 bytes. glibc declares msg_iovlen and
        /// msg_controllen as size_t (the kernel's user_msghdr uses __kernel_size_t: same width).
        /// <code>
        ///  0  void         *msg_name        destination sockaddr (sendmmsg) / source (recvmmsg)
        ///  8  socklen_t     msg_namelen     + 4 bytes padding
        /// 16  struct iovec *msg_iov
        /// 24  size_t        msg_iovlen
        /// 32  void         *msg_control
        /// 40  size_t        msg_controllen
        /// 48  int           msg_flags       + 4 bytes padding
        /// </code>
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct MsgHdr
        {
            internal void* Name;
            internal uint NameLength;
            internal IoVec* Iov;
            internal nuint IovLength;
            internal void* Control;
            internal nuint ControlLength;
            internal int Flags;
        }

        /// <summary>
        /// struct mmsghdr (sys/socket.h, Linux ≥ 2.6.33 / glibc ≥ 2.14), LP64: 64 bytes.
        /// <code>
        ///  0  struct msghdr msg_hdr
        /// 56  unsigned int  msg_len   bytes sent / received for this message, + 4 bytes padding
        /// </code>
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct MMsgHdr
        {
            internal MsgHdr Header;
            internal uint Length;
        }
    }
}
