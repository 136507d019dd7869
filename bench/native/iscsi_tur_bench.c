/*
 * TEST UNIT READY round trips through libiscsi's C initiator (synchronous API, one command in
 * flight), the reference HwFence's initiator is compared with (issue 2, "Benchmark").
 *
 *   apt-get install libiscsi-dev          # bench only; not needed by the tests
 *   cc -O2 -o iscsi_tur_bench iscsi_tur_bench.c -liscsi
 *   ./iscsi_tur_bench iscsi://127.0.0.1:PORT/IQN/1 SECONDS
 *
 * Prints commands/s, p50/p99 latency and process CPU time per command (user + system, this process
 * only: a load-robust cost figure) in the same format as `harness iscsi`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s iscsi://host:port/iqn/lun [seconds]\n", argv[0]);
        return 2;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 5.0;

    struct iscsi_context *iscsi = iscsi_create_context("iqn.2026-01.org.hwfence.bench:libiscsi");
    struct iscsi_url *url = iscsi_parse_full_url(iscsi, argv[1]);
    if (url == NULL) {
        fprintf(stderr, "bad URL %s: %s\n", argv[1], iscsi_get_error(iscsi));
        return 1;
    }
    iscsi_set_targetname(iscsi, url->target);
    iscsi_set_session_type(iscsi, ISCSI_SESSION_NORMAL);
    iscsi_set_header_digest(iscsi, ISCSI_HEADER_DIGEST_NONE);
    if (iscsi_full_connect_sync(iscsi, url->portal, url->lun) != 0) {
        fprintf(stderr, "login to %s failed: %s\n", argv[1], iscsi_get_error(iscsi));
        return 1;
    }

    /* Clear the UNIT ATTENTION of the new nexus, then warm up for 2 s. */
    int64_t warm_end = now_ns() + 2000000000LL;
    while (now_ns() < warm_end) {
        struct scsi_task *t = iscsi_testunitready_sync(iscsi, url->lun);
        if (t == NULL) {
            fprintf(stderr, "TUR failed: %s\n", iscsi_get_error(iscsi));
            return 1;
        }
        scsi_free_scsi_task(t);
    }

    size_t cap = 4000000, n = 0;
    int64_t *lat = malloc(cap * sizeof *lat);
    int64_t cpu0 = cpu_ns();
    int64_t start = now_ns(), end = start + (int64_t)(seconds * 1e9), t0 = start;
    while (t0 < end && n < cap) {
        struct scsi_task *t = iscsi_testunitready_sync(iscsi, url->lun);
        if (t == NULL || t->status != SCSI_STATUS_GOOD) {
            fprintf(stderr, "TUR failed: %s\n", iscsi_get_error(iscsi));
            return 1;
        }
        scsi_free_scsi_task(t);
        int64_t t1 = now_ns();
        lat[n++] = t1 - t0;
        t0 = t1;
    }
    int64_t cpu = cpu_ns() - cpu0;
    qsort(lat, n, sizeof *lat, cmp64);
    printf("libiscsi TUR, 1 in flight : %10.0f /s   p50 %7.1f us   p99 %7.1f us   p99.9 %7.1f us   CPU %5.2f us/command   (%zu commands)\n",
           n / ((t0 - start) / 1e9), lat[n / 2] / 1e3, lat[(size_t)(n * 0.99)] / 1e3, lat[(size_t)(n * 0.999)] / 1e3, cpu / 1e3 / n, n);

    iscsi_logout_sync(iscsi);
    iscsi_destroy_url(url);
    iscsi_destroy_context(iscsi);
    free(lat);
    return 0;
}
