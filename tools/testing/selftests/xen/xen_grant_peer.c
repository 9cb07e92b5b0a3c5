// SPDX-License-Identifier: GPL-2.0
/*
 * The granting side of a cross-domain grant test, run in the peer domain:
 *
 *   xen_grant_peer DOMID COUNT
 *
 * grants COUNT pages to DOMID through /dev/xen/gntalloc, writes a pattern
 * at the start of each page, prints the grant references on one line and
 * waits for a line on stdin: by then DOMID has mapped the pages, checked
 * the pattern and written its bitwise inverse.  Prints "peer-check ok" or
 * "peer-check bad N" (N pages not written back), then releases the grants.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

typedef uint16_t domid_t;
typedef uint32_t grant_ref_t;

#include <xen/gntalloc.h>

#include "xen_grant_pattern.h"

int main(int argc, char **argv)
{
	struct ioctl_gntalloc_dealloc_gref d;
	struct ioctl_gntalloc_alloc_gref *a;
	unsigned int i, count, bad = 0;
	unsigned char *va;
	char line[16];
	int ga;

	count = argc == 3 ? strtoul(argv[2], NULL, 0) : 0;
	if (!count) {
		fprintf(stderr, "usage: %s DOMID COUNT\n", argv[0]);
		return 2;
	}
	ga = open("/dev/xen/gntalloc", O_RDWR);
	a = calloc(1, sizeof(*a) + count * sizeof(a->gref_ids[0]));
	if (ga < 0 || !a) {
		perror("/dev/xen/gntalloc");
		return 1;
	}
	a->domid = strtoul(argv[1], NULL, 0);
	a->flags = GNTALLOC_FLAG_WRITABLE;
	a->count = count;
	if (ioctl(ga, IOCTL_GNTALLOC_ALLOC_GREF, a)) {
		perror("IOCTL_GNTALLOC_ALLOC_GREF");
		return 1;
	}
	va = mmap(NULL, count * grant_stride(), PROT_READ | PROT_WRITE, MAP_SHARED,
		  ga, a->index);
	if (va == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (i = 0; i < count; i++)
		grant_pattern_fill(va + i * grant_stride(), i, 0);
	for (i = 0; i < count; i++)
		printf("%u%c", a->gref_ids[i], i + 1 < count ? ' ' : '\n');
	fflush(stdout);

	if (!fgets(line, sizeof(line), stdin))
		fprintf(stderr, "stdin closed: checking anyway\n");
	for (i = 0; i < count; i++)
		bad += !grant_pattern_check(va + i * grant_stride(), i, 1);
	if (bad)
		printf("peer-check bad %u\n", bad);
	else
		printf("peer-check ok\n");
	munmap(va, count * grant_stride());
	d.index = a->index;
	d.count = count;
	if (ioctl(ga, IOCTL_GNTALLOC_DEALLOC_GREF, &d))
		perror("IOCTL_GNTALLOC_DEALLOC_GREF");
	return bad ? 1 : 0;
}
