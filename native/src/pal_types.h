// Shared by every HwFence native export: fixed-width types only (int32_t, intptr_t, uint8_t*),
// never int/long/size_t, so the managed declarations are the same on every ABI.
#pragma once

#include <stdint.h>

#define HWFENCE_EXPORT __attribute__((visibility("default")))

// Bumped whenever an exported signature or struct changes; the managed side refuses a shim whose
// version differs (a stale native/build left over from an older checkout).
#define HWFENCE_NATIVE_ABI_VERSION 2
