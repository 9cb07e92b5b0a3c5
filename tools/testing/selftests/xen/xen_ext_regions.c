// SPDX-License-Identifier: GPL-2.0
/*
 * Grant and foreign mappings of a Xen guest must land in the extended
 * regions that Xen advertises in reg[1..N] of the /hypervisor device-tree
 * node, or, when it advertises none, outside of them (ballooned RAM).
 *
 * Every check reads its truth from the system: the device tree, the
 * page frames behind a mapping (/proc/self/pagemap) and /proc/meminfo.
 *
 * Environment:
 *   XEN_EXPECT         "balloon": the kernel was told to balloon
 *                      (xen_unpopulated=balloon) although Xen advertises
 *                      regions
 *   XEN_SELF_DOMID     domain id of this guest (default 0)
 *   XEN_FOREIGN_DOMID  domain whose memory privcmd maps (test skipped
 *                      when unset)
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* The uapi headers leave these to the includer, as libxengnttab does. */
typedef uint16_t domid_t;
typedef uint32_t grant_ref_t;

#include <xen/gntalloc.h>
#include <xen/gntdev.h>

#include "../kselftest_harness.h"

#define XEN_PAGE_SIZE	4096UL
#define DT_HYP		"/proc/device-tree/hypervisor"
#define MAX_REGIONS	1024

/* The uapi privcmd.h includes a kernel-only header: use the ABI directly. */
struct privcmd_mmapbatch_v2 {
	unsigned int num;
	uint16_t dom;
	uint64_t addr;
	const uint64_t *arr;
	int *err;
};

#define IOCTL_PRIVCMD_MMAPBATCH_V2 \
	_IOC(_IOC_NONE, 'P', 4, sizeof(struct privcmd_mmapbatch_v2))

struct region {
	uint64_t start;
	uint64_t size;
};

/* Each test runs in a child that _exit()s: keep no output buffered. */
static void __attribute__((constructor)) line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static size_t read_file(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, len);
	close(fd);
	return n < 0 ? 0 : n;
}

static unsigned int dt_cells(const char *name, unsigned int def)
{
	char path[128];
	uint32_t v;

	snprintf(path, sizeof(path), "/proc/device-tree/%s", name);
	if (read_file(path, &v, sizeof(v)) != sizeof(v))
		return def;
	return be32toh(v);
}

static uint64_t dt_read(const uint32_t *cells, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 32) | be32toh(*cells++);
	return v;
}

/* Returns the number of reg entries of /hypervisor, reg[0] included. */
static int read_dt_regions(struct region *r, int max)
{
	static uint32_t reg[MAX_REGIONS * 4];
	unsigned int ac = dt_cells("#address-cells", 2);
	unsigned int sc = dt_cells("#size-cells", 1);
	size_t len = read_file(DT_HYP "/reg", reg, sizeof(reg));
	unsigned int i, n = len / 4 / (ac + sc);

	for (i = 0; i < n && i < (unsigned int)max; i++) {
		r[i].start = dt_read(reg + i * (ac + sc), ac);
		r[i].size = dt_read(reg + i * (ac + sc) + ac, sc);
	}
	return i;
}

/* Whether mappings are expected in the regions, given n reg entries. */
static bool expect_regions(int n)
{
	const char *e = getenv("XEN_EXPECT");

	return n > 1 && !(e && !strcmp(e, "balloon"));
}

static int region_of(const struct region *r, int n, uint64_t addr)
{
	int i;

	for (i = 1; i < n; i++)
		if (addr >= r[i].start && addr - r[i].start < r[i].size)
			return i;
	return 0;
}

static uint64_t phys_of(const void *va)
{
	uint64_t e = 0, page = sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)va / page * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	if (!(e & (1ULL << 63)))
		return 0;
	return (e & ((1ULL << 55) - 1)) * page + (uintptr_t)va % page;
}

static long meminfo_kb(const char *key)
{
	char buf[4096], *p;
	size_t n = read_file("/proc/meminfo", buf, sizeof(buf) - 1);

	buf[n] = 0;
	p = strstr(buf, key);
	return p ? strtol(p + strlen(key) + 1, NULL, 10) : -1;
}

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);

	return v ? atoi(v) : def;
}

/*
 * Check where the pages behind [va, va + len) lie: inside an extended
 * region when Xen advertised any, else outside all of them.  Returns the
 * number of misplaced pages.
 */
static int check_placement(struct __test_metadata *_metadata,
			   const char *what, const void *va, size_t len)
{
	struct region r[MAX_REGIONS];
	int n = read_dt_regions(r, MAX_REGIONS), bad = 0, first = -1;
	size_t off, page = sysconf(_SC_PAGESIZE);

	for (off = 0; off < len; off += page) {
		uint64_t pa = phys_of((const char *)va + off);
		int in = region_of(r, n, pa);

		if (!pa) {
			TH_LOG("%s: no frame behind offset %zu (need root)", what, off);
			return len / page;
		}
		if (off == 0) {
			first = in;
			printf("# %s: first page at 0x%llx, %s%d\n", what,
			       (unsigned long long)pa,
			       in ? "extended region " : "outside the regions, n=",
			       in ? in : n - 1);
		}
		/* With regions every page must be in one, else in none. */
		if (expect_regions(n) ? !in : in)
			bad++;
	}
	if (bad)
		TH_LOG("%s: %d of %zu pages misplaced (regions: %d, first in %d)",
		       what, bad, len / page, n - 1, first);
	return bad;
}

TEST(dt_regions)
{
	struct region r[MAX_REGIONS];
	int i, n = read_dt_regions(r, MAX_REGIONS);

	ASSERT_GE(n, 1) TH_LOG("no reg in " DT_HYP);
	for (i = 0; i < n; i++) {
		printf("# reg[%d] 0x%llx-0x%llx (%llu MiB)%s\n", i,
		       (unsigned long long)r[i].start,
		       (unsigned long long)(r[i].start + r[i].size - 1),
		       (unsigned long long)(r[i].size >> 20),
		       i ? " extended region" : " grant table");
		EXPECT_NE(0, r[i].size);
	}
}

static void grant_round_trip(struct __test_metadata *_metadata, unsigned int count)
{
	size_t len = count * XEN_PAGE_SIZE, i;
	struct ioctl_gntalloc_alloc_gref *a;
	struct ioctl_gntdev_map_grant_ref *m;
	struct ioctl_gntdev_unmap_grant_ref u;
	struct ioctl_gntalloc_dealloc_gref d;
	long total0, total1;
	unsigned char *src, *dst;
	int ga, gd;

	ga = open("/dev/xen/gntalloc", O_RDWR);
	gd = open("/dev/xen/gntdev", O_RDWR);
	ASSERT_GE(ga, 0) TH_LOG("/dev/xen/gntalloc: %s", strerror(errno));
	ASSERT_GE(gd, 0) TH_LOG("/dev/xen/gntdev: %s", strerror(errno));

	a = calloc(1, sizeof(*a) + count * sizeof(a->gref_ids[0]));
	m = calloc(1, sizeof(*m) + count * sizeof(m->refs[0]));
	ASSERT_TRUE(a && m);
	a->domid = env_int("XEN_SELF_DOMID", 0);
	a->flags = GNTALLOC_FLAG_WRITABLE;
	a->count = count;
	ASSERT_EQ(0, ioctl(ga, IOCTL_GNTALLOC_ALLOC_GREF, a))
		TH_LOG("gntalloc: %s", strerror(errno));
	src = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, ga, a->index);
	ASSERT_NE(MAP_FAILED, src);
	for (i = 0; i < len; i++)
		src[i] = (unsigned char)(i * 7 + 1);

	total0 = meminfo_kb("MemTotal");
	m->count = count;
	for (i = 0; i < count; i++) {
		m->refs[i].domid = a->domid;
		m->refs[i].ref = a->gref_ids[i];
	}
	ASSERT_EQ(0, ioctl(gd, IOCTL_GNTDEV_MAP_GRANT_REF, m))
		TH_LOG("gntdev map: %s", strerror(errno));
	dst = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, gd, m->index);
	ASSERT_NE(MAP_FAILED, dst) TH_LOG("gntdev mmap: %s", strerror(errno));
	total1 = meminfo_kb("MemTotal");

	EXPECT_EQ(0, memcmp(src, dst, len));
	for (i = 0; i < len; i++)
		dst[i] = ~src[i];
	for (i = 0; i < len && src[i] == (unsigned char)~(i * 7 + 1); i++)
		;
	EXPECT_EQ(len, i) TH_LOG("write through the grant map lost at byte %zu", i);
	EXPECT_EQ(0, check_placement(_metadata, "gntdev map", dst, len));

	printf("# %u pages mapped: MemTotal %ld -> %ld kB\n", count, total0, total1);
	{
		struct region r[MAX_REGIONS];

		/* Grant space must not come out of RAM when regions exist. */
		if (expect_regions(read_dt_regions(r, MAX_REGIONS)))
			EXPECT_EQ(total0, total1);
	}

	munmap(dst, len);
	u.index = m->index;
	u.count = count;
	u.pad = 0;
	EXPECT_EQ(0, ioctl(gd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u));
	munmap(src, len);
	d.index = a->index;
	d.count = count;
	EXPECT_EQ(0, ioctl(ga, IOCTL_GNTALLOC_DEALLOC_GREF, &d));
	close(gd);
	close(ga);
	free(a);
	free(m);
}

TEST(grant_map_1)
{
	grant_round_trip(_metadata, 1);
}

TEST(grant_map_256)
{
	grant_round_trip(_metadata, 256);
}

/*
 * Every "Xen scratch" range in /proc/iomem (space given struct pages for
 * grant and foreign mappings) must lie inside one extended region.
 */
TEST(iomem_placement)
{
	struct region r[MAX_REGIONS];
	int n = read_dt_regions(r, MAX_REGIONS), ranges = 0, bad = 0;
	unsigned long long s = 0, e = 0;
	char line[256];
	FILE *f = fopen("/proc/iomem", "r");

	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		int i, in = 0;

		if (!strstr(line, ": Xen scratch") ||
		    sscanf(line, " %llx-%llx", &s, &e) != 2)
			continue;
		ranges++;
		for (i = 1; i < n; i++)
			if (s >= r[i].start && e - r[i].start < r[i].size)
				in = i;
		printf("# Xen scratch 0x%llx-0x%llx: %s%d\n", s, e,
		       in ? "extended region " : "outside the regions, n=",
		       in ? in : n - 1);
		if (!in)
			bad++;
	}
	fclose(f);
	if (ranges)
		ASSERT_NE(0, s | e) TH_LOG("/proc/iomem shows no addresses: need root");
	EXPECT_EQ(0, bad) TH_LOG("%d of %d Xen scratch ranges outside reg[1..N]",
				 bad, ranges);
	if (!expect_regions(n))
		EXPECT_EQ(0, ranges) TH_LOG("Xen scratch space while ballooning");
}

TEST(foreign_map)
{
	int domid = env_int("XEN_FOREIGN_DOMID", -1);
	/* libxl's GUEST_RAM0_BASE: the domU's first page of RAM. */
	uint64_t gfn0 = 0x40000000ULL / XEN_PAGE_SIZE;
	unsigned int i, num = 64;
	struct privcmd_mmapbatch_v2 b;
	uint64_t gfns[64];
	int err[64], fd;
	long total0, total1;
	void *va;

	if (domid < 0)
		SKIP(return, "XEN_FOREIGN_DOMID not set");
	fd = open("/dev/xen/privcmd", O_RDWR);
	ASSERT_GE(fd, 0) TH_LOG("/dev/xen/privcmd: %s", strerror(errno));
	va = mmap(NULL, num * XEN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, va);
	for (i = 0; i < num; i++)
		gfns[i] = gfn0 + i;
	memset(err, 0xff, sizeof(err));
	total0 = meminfo_kb("MemTotal");
	b.num = num;
	b.dom = domid;
	b.addr = (uintptr_t)va;
	b.arr = gfns;
	b.err = err;
	ASSERT_EQ(0, ioctl(fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &b))
		TH_LOG("MMAPBATCH_V2 of d%d: %s", domid, strerror(errno));
	for (i = 0; i < num && !err[i]; i++)
		;
	EXPECT_EQ(num, i) TH_LOG("gfn 0x%llx: error %d",
				 (unsigned long long)gfns[i % num], err[i % num]);
	/*
	 * pagemap does not walk VM_PFNMAP mappings: the truth is that no RAM
	 * went to Xen for them, and where the iomem_placement test looks.
	 */
	total1 = meminfo_kb("MemTotal");
	printf("# privcmd foreign map of %u pages: MemTotal %ld -> %ld kB\n",
	       num, total0, total1);
	{
		struct region r[MAX_REGIONS];

		long ballooned_kb = num * XEN_PAGE_SIZE / 1024;
		bool regions = expect_regions(read_dt_regions(r, MAX_REGIONS));

		/* From the regions: no RAM; from the balloon: at least num pages. */
		EXPECT_TRUE(regions ? total1 == total0 : total1 <= total0 - ballooned_kb);
	}
	munmap(va, num * XEN_PAGE_SIZE);
	close(fd);
}

TEST_HARNESS_MAIN
