// SG_IO pass-through for Linux /dev/sg* and /dev/sd* (the sg driver's v3 interface, sg_io_hdr).
// Reference: Linux "SCSI Generic (sg) HOWTO", include/scsi/sg.h.
#pragma once

#include "pal_types.h"

// Data directions: the values of HwFence.Hal.Scsi.DataDirection.
enum
{
    HwFenceDataDirection_None = 0,
    HwFenceDataDirection_FromDevice = 1,
    HwFenceDataDirection_ToDevice = 2,
};

// What came back in sg_io_hdr after the ioctl returned 0. All fields widened to int32_t so the
// managed mirror (Interop.HwFenceNative.SgIoResult) is 8 x int32 = 32 bytes on every ABI.
typedef struct
{
    int32_t Status;        // sg_io_hdr.status: the SAM status byte (GOOD 0x00, CHECK CONDITION 0x02, RESERVATION CONFLICT 0x18, ...)
    int32_t MaskedStatus;  // sg_io_hdr.masked_status: (status >> 1) & 0x7f, the old-style code
    int32_t HostStatus;    // sg_io_hdr.host_status: DID_* from the host adapter (0 = DID_OK)
    int32_t DriverStatus;  // sg_io_hdr.driver_status: DRIVER_* | SUGGEST_* from the mid-level (0 = DRIVER_OK)
    int32_t SenseLength;   // sg_io_hdr.sb_len_wr: sense bytes actually written to the sense buffer
    int32_t Residual;      // sg_io_hdr.resid: dxfer_len - bytes actually transferred
    int32_t DurationMs;    // sg_io_hdr.duration: milliseconds the command took
    int32_t Info;          // sg_io_hdr.info: SG_INFO_* (bit 0 set: something abnormal happened)
} HwFenceSgIoResult;

// Returns HWFENCE_NATIVE_ABI_VERSION.
HWFENCE_EXPORT int32_t HwFenceNative_GetAbiVersion(void);

// ioctl(fd, SG_IO, &hdr) for one CDB. Returns 0 when the kernel completed the request (look at
// result->Status/HostStatus/DriverStatus), or -1 with errno set (ENOTTY/EINVAL: not an SG_IO-capable
// file; EPERM/EACCES: needs CAP_SYS_RAWIO or write access; ENODEV/ENXIO: device gone; ...).
// EINTR is retried here and never reaches managed code.
HWFENCE_EXPORT int32_t HwFenceNative_SgIo(
    intptr_t fd,
    const uint8_t* cdb, int32_t cdbLen,
    int32_t direction,
    uint8_t* data, int32_t dataLen,
    uint8_t* sense, int32_t senseLen,
    int32_t timeoutMs,
    HwFenceSgIoResult* result);

// ioctl(fd, SG_GET_VERSION_NUM, version): the sg driver version (30536 = 3.5.36). Both the sg
// driver and the block layer (for /dev/sd*) answer it, so it doubles as an "is SG_IO-capable" probe.
// Returns 0, or -1 with errno set (ENOTTY: not a SCSI device).
HWFENCE_EXPORT int32_t HwFenceNative_GetSgVersion(intptr_t fd, int32_t* version);

// Reset kinds: the values of HwFence.Hal.Interop.HwFenceNative.SgResetKind.
enum
{
    HwFenceSgReset_Device = 1, // SG_SCSI_RESET_DEVICE: LOGICAL UNIT RESET (SAM-5 §7.7)
    HwFenceSgReset_Target = 2, // SG_SCSI_RESET_TARGET: TARGET RESET (SAM-5 §7.9)
};

// ioctl(fd, SG_SCSI_RESET, kind | SG_SCSI_RESET_NO_ESCALATE): the mid-level's error handler sends
// the task management function through the low-level driver (iscsi_tcp, virtio_scsi, mpt3sas...)
// and returns when it completed. Never escalates to a bus or host reset: those would hit every
// device on the adapter. Returns 0, or -1 with errno set (EACCES: needs CAP_SYS_ADMIN and
// CAP_SYS_RAWIO; EIO: the driver or target refused or failed the reset; EBUSY/EAGAIN: the host is in
// error recovery; ENODEV: device gone; EINVAL: kernel older than 3.19 without NO_ESCALATE).
HWFENCE_EXPORT int32_t HwFenceNative_SgReset(intptr_t fd, int32_t kind);
