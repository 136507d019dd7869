// Thin, 1:1 shim over ioctl(SG_IO): marshals sg_io_hdr (whose layout and pointer sizes vary by
// ABI) from fixed-width arguments, retries EINTR, and leaves every decision to managed code
// (HwFence.Hal.Scsi.SgIoTransport).

#include "pal_sgio.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <scsi/sg.h>

// glibc's <scsi/sg.h> stops at SG_SCSI_RESET_HOST; the kernel's uapi header (since 3.19) adds these.
#ifndef SG_SCSI_RESET_TARGET
#define SG_SCSI_RESET_TARGET 4
#endif
#ifndef SG_SCSI_RESET_NO_ESCALATE
#define SG_SCSI_RESET_NO_ESCALATE 0x100
#endif

int32_t HwFenceNative_GetAbiVersion(void)
{
    return HWFENCE_NATIVE_ABI_VERSION;
}

static int ToFileDescriptor(intptr_t fd)
{
    return (int)fd;
}

int32_t HwFenceNative_SgIo(
    intptr_t fd,
    const uint8_t* cdb, int32_t cdbLen,
    int32_t direction,
    uint8_t* data, int32_t dataLen,
    uint8_t* sense, int32_t senseLen,
    int32_t timeoutMs,
    HwFenceSgIoResult* result)
{
    // cmd_len and mx_sb_len are unsigned char in sg_io_hdr; dxfer_len and timeout unsigned int.
    if (cdb == NULL || cdbLen <= 0 || cdbLen > 255 || dataLen < 0 || (dataLen > 0 && data == NULL) ||
        senseLen < 0 || (senseLen > 0 && sense == NULL) || timeoutMs < 0 || result == NULL)
    {
        errno = EINVAL;
        return -1;
    }

    sg_io_hdr_t hdr;
    memset(&hdr, 0, sizeof(hdr));
    hdr.interface_id = 'S';
    switch (direction)
    {
    case HwFenceDataDirection_None:
        hdr.dxfer_direction = SG_DXFER_NONE;
        dataLen = 0;
        data = NULL;
        break;
    case HwFenceDataDirection_FromDevice:
        hdr.dxfer_direction = dataLen > 0 ? SG_DXFER_FROM_DEV : SG_DXFER_NONE;
        break;
    case HwFenceDataDirection_ToDevice:
        hdr.dxfer_direction = dataLen > 0 ? SG_DXFER_TO_DEV : SG_DXFER_NONE;
        break;
    default:
        errno = EINVAL;
        return -1;
    }

    hdr.cmd_len = (unsigned char)cdbLen;
    hdr.cmdp = (unsigned char*)(uintptr_t)cdb; // the kernel only reads the CDB
    hdr.dxfer_len = (unsigned int)dataLen;
    hdr.dxferp = data;
    hdr.mx_sb_len = (unsigned char)(senseLen > 255 ? 255 : senseLen);
    hdr.sbp = sense;
    hdr.timeout = (unsigned int)timeoutMs;

    int fdInt = ToFileDescriptor(fd);
    int rc;
    // A signal interrupting the wait makes the kernel orphan the request and return EINTR (or
    // restart the call itself under SA_RESTART, which the .NET runtime uses): either way the CDB
    // is submitted again, exactly as sg3_utils does. The commands HwFence sends (TUR, INQUIRY,
    // PR IN/OUT, RESERVE/RELEASE, slot READ/WRITE) are safe to repeat.
    while ((rc = ioctl(fdInt, SG_IO, &hdr)) < 0 && errno == EINTR)
    {
    }

    if (rc < 0)
    {
        return -1;
    }

    result->Status = hdr.status;
    result->MaskedStatus = hdr.masked_status;
    result->HostStatus = hdr.host_status;
    result->DriverStatus = hdr.driver_status;
    result->SenseLength = hdr.sb_len_wr;
    result->Residual = hdr.resid;
    result->DurationMs = (int32_t)(hdr.duration > INT32_MAX ? INT32_MAX : hdr.duration);
    result->Info = (int32_t)hdr.info;
    return 0;
}

int32_t HwFenceNative_GetSgVersion(intptr_t fd, int32_t* version)
{
    if (version == NULL)
    {
        errno = EINVAL;
        return -1;
    }

    int value = 0;
    int rc;
    while ((rc = ioctl(ToFileDescriptor(fd), SG_GET_VERSION_NUM, &value)) < 0 && errno == EINTR)
    {
    }

    if (rc < 0)
    {
        return -1;
    }

    *version = value;
    return 0;
}

int32_t HwFenceNative_SgReset(intptr_t fd, int32_t kind)
{
    int value;
    switch (kind)
    {
    case HwFenceSgReset_Device:
        value = SG_SCSI_RESET_DEVICE;
        break;
    case HwFenceSgReset_Target:
        value = SG_SCSI_RESET_TARGET;
        break;
    default:
        errno = EINVAL;
        return -1;
    }

    value |= SG_SCSI_RESET_NO_ESCALATE;

    int rc;
    // The sg driver returns EINTR only while waiting to start (scsi_block_when_processing_errors).
    while ((rc = ioctl(ToFileDescriptor(fd), SG_SCSI_RESET, &value)) < 0 && errno == EINTR)
    {
    }

    return rc < 0 ? -1 : 0;
}
