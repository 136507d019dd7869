/*
 * iscsi-bench: a libiscsi client load generator for HwFence's emulator benchmark
 * (bench/HwFence.Bench/Emulator/EmulatorBenchHarness.cs compiles and runs it).
 *
 *   iscsi-bench <tur|read|write> <queue-depth> <seconds> <initiator-name> <iscsi-url>
 *
 * Keeps <queue-depth> commands in flight with libiscsi's asynchronous API (TEST UNIT READY, or
 * 4 KiB READ(16)/WRITE(16) at random 4 KiB-aligned LBAs) for <seconds> and prints one line:
 *   ops=<completed> errors=<failed> seconds=<elapsed> ops_per_second=<rate>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <poll.h>
#include <time.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

enum op { OP_TUR, OP_READ, OP_WRITE };

struct bench {
	struct iscsi_context *iscsi;
	int lun;
	enum op op;
	uint64_t blocks;
	uint32_t block_size;
	unsigned char buf[4096];
	long completed, errors, in_flight;
	int stop;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void issue(struct bench *b);

static void done(struct iscsi_context *iscsi, int status, void *command_data, void *private_data)
{
	struct bench *b = private_data;
	struct scsi_task *task = command_data;
	(void)iscsi;
	b->in_flight--;
	if (status == SCSI_STATUS_GOOD)
		b->completed++;
	else
		b->errors++;
	if (task)
		scsi_free_scsi_task(task);
	if (!b->stop)
		issue(b);
}

static void issue(struct bench *b)
{
	uint32_t per = 4096 / b->block_size;
	uint64_t lba = ((uint64_t)rand() % (b->blocks / per)) * per;
	struct scsi_task *t = NULL;
	switch (b->op) {
	case OP_TUR:
		t = iscsi_testunitready_task(b->iscsi, b->lun, done, b);
		break;
	case OP_READ:
		t = iscsi_read16_task(b->iscsi, b->lun, lba, 4096, b->block_size, 0, 0, 0, 0, 0, done, b);
		break;
	case OP_WRITE:
		t = iscsi_write16_task(b->iscsi, b->lun, lba, b->buf, 4096, b->block_size, 0, 0, 0, 0, 0, done, b);
		break;
	}
	if (t == NULL) {
		fprintf(stderr, "iscsi-bench: cannot queue command: %s\n", iscsi_get_error(b->iscsi));
		exit(1);
	}
	b->in_flight++;
}

int main(int argc, char **argv)
{
	struct bench b;
	struct iscsi_url *url;
	struct scsi_task *cap;
	struct scsi_readcapacity16 *rc16;
	int depth, seconds, i;
	double start, elapsed;

	if (argc != 6) {
		fprintf(stderr, "usage: iscsi-bench <tur|read|write> <queue-depth> <seconds> <initiator-name> <iscsi-url>\n");
		return 2;
	}
	memset(&b, 0, sizeof(b));
	b.op = !strcmp(argv[1], "tur") ? OP_TUR : !strcmp(argv[1], "read") ? OP_READ : OP_WRITE;
	depth = atoi(argv[2]);
	seconds = atoi(argv[3]);
	memset(b.buf, 0xA5, sizeof(b.buf));

	b.iscsi = iscsi_create_context(argv[4]);
	url = iscsi_parse_full_url(b.iscsi, argv[5]);
	if (url == NULL) {
		fprintf(stderr, "iscsi-bench: bad url %s: %s\n", argv[5], iscsi_get_error(b.iscsi));
		return 1;
	}
	iscsi_set_targetname(b.iscsi, url->target);
	iscsi_set_session_type(b.iscsi, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(b.iscsi, ISCSI_HEADER_DIGEST_NONE);
	if (iscsi_full_connect_sync(b.iscsi, url->portal, url->lun) != 0) {
		fprintf(stderr, "iscsi-bench: login failed: %s\n", iscsi_get_error(b.iscsi));
		return 1;
	}
	b.lun = url->lun;
	cap = iscsi_readcapacity16_sync(b.iscsi, b.lun);
	if (cap == NULL || cap->status != SCSI_STATUS_GOOD || (rc16 = scsi_datain_unmarshall(cap)) == NULL) {
		fprintf(stderr, "iscsi-bench: READ CAPACITY(16) failed: %s\n", iscsi_get_error(b.iscsi));
		return 1;
	}
	b.blocks = rc16->returned_lba + 1;
	b.block_size = rc16->block_length;
	scsi_free_scsi_task(cap);

	for (i = 0; i < depth; i++)
		issue(&b);
	start = now();
	while (1) {
		struct pollfd pfd = { .fd = iscsi_get_fd(b.iscsi), .events = iscsi_which_events(b.iscsi) };
		if (poll(&pfd, 1, 100) < 0)
			break;
		if (iscsi_service(b.iscsi, pfd.revents) < 0) {
			fprintf(stderr, "iscsi-bench: %s\n", iscsi_get_error(b.iscsi));
			return 1;
		}
		if (!b.stop && now() - start >= seconds) {
			b.stop = 1;
			elapsed = now() - start;
			printf("ops=%ld errors=%ld seconds=%.3f ops_per_second=%.0f\n", b.completed, b.errors, elapsed, b.completed / elapsed);
			fflush(stdout);
		}
		if (b.stop && b.in_flight == 0)
			break;
	}
	iscsi_logout_sync(b.iscsi);
	iscsi_destroy_context(b.iscsi);
	iscsi_destroy_url(url);
	return 0;
}
