using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>
        /// glibc's struct termios on Linux x86-64 and arm64 (bits/termios-struct.h, NCCS = 32): four
        /// tcflag_t (uint) flag words at 0/4/8/12, c_line at 16, c_cc[32] at 17, c_ispeed at 52,
        /// c_ospeed at 56; 60 bytes. The tests assert this layout.
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct Termios
        {
            internal const int NCCS = 32;

            internal uint InputFlags;    // c_iflag
            internal uint OutputFlags;   // c_oflag
            internal uint ControlFlags;  // c_cflag
            internal uint LocalFlags;    // c_lflag
            internal byte LineDiscipline; // c_line
            internal fixed byte ControlCharacters[NCCS]; // c_cc
            internal uint InputSpeed;    // c_ispeed
            internal uint OutputSpeed;   // c_ospeed
        }

        /// <summary>termios flag bits and speeds (asm-generic/termbits.h, the values for x86-64 and arm64).</summary>
        internal static class TermiosBits
        {
            // c_iflag
            internal const uint IGNBRK = 0x0001;
            internal const uint BRKINT = 0x0002;
            internal const uint IGNPAR = 0x0004;
            internal const uint PARMRK = 0x0008;
            internal const uint INPCK = 0x0010;
            internal const uint ISTRIP = 0x0020;
            internal const uint INLCR = 0x0040;
            internal const uint IGNCR = 0x0080;
            internal const uint ICRNL = 0x0100;
            internal const uint IXON = 0x0400;
            internal const uint IXOFF = 0x1000;

            // c_oflag
            internal const uint OPOST = 0x0001;

            // c_cflag
            internal const uint CBAUD = 0x100F;  // 010017
            internal const uint CSIZE = 0x0030;  // 060
            internal const uint CS5 = 0x0000;
            internal const uint CS6 = 0x0010;
            internal const uint CS7 = 0x0020;
            internal const uint CS8 = 0x0030;
            internal const uint CSTOPB = 0x0040;
            internal const uint CREAD = 0x0080;
            internal const uint PARENB = 0x0100;
            internal const uint PARODD = 0x0200;
            internal const uint HUPCL = 0x0400;
            internal const uint CLOCAL = 0x0800;
            internal const uint CRTSCTS = 0x80000000; // 020000000000

            // c_lflag
            internal const uint ISIG = 0x0001;
            internal const uint ICANON = 0x0002;
            internal const uint ECHO = 0x0008;
            internal const uint ECHOE = 0x0010;
            internal const uint ECHOK = 0x0020;
            internal const uint ECHONL = 0x0040;
            internal const uint IEXTEN = 0x8000;

            // c_cc indices
            internal const int VTIME = 5;
            internal const int VMIN = 6;

            // tcsetattr actions, tcflush queues
            internal const int TCSANOW = 0;
            internal const int TCIOFLUSH = 2;

            // Speeds (Bxxxx). 9600–38400 are POSIX, the rest CBAUDEX (0010000) extensions.
            internal const uint B9600 = 0x000D;    // 0000015
            internal const uint B19200 = 0x000E;   // 0000016
            internal const uint B38400 = 0x000F;   // 0000017
            internal const uint B57600 = 0x1001;   // 0010001
            internal const uint B115200 = 0x1002;  // 0010002
            internal const uint B230400 = 0x1003;  // 0010003
            internal const uint B460800 = 0x1004;  // 0010004
            internal const uint B500000 = 0x1005;  // 0010005
            internal const uint B576000 = 0x1006;  // 0010006
            internal const uint B921600 = 0x1007;  // 0010007
        }
    }
}
