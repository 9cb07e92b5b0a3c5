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
 *   XEN_PEER_DOMID     domain running xen_grant_peer, and
 *   XEN_PEER_REFS      the grant references it printed (tests skipped
 *                      when unset)
 *   XEN_STRESS_PROCS, XEN_STRESS_SECONDS  size of the stress test
 *   XEN_BAD_INPUT      "0": skip the bad-input tests (they oops the
 *                      unpatched 6.1, which benchmarks also run on)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The uapi headers leave these to the includer, as libxengnttab does. */
typedef uint16_t domid_t;
typedef uint32_t grant_ref_t;

#include <xen/gntalloc.h>
#include <xen/gntdev.h>

#include "../kselftest_harness.h"
#include "xen_grant_pattern.h"

#define XEN_PAGE_SIZE	4096UL	/* a grant, a frame of Xen's */
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

struct privcmd_mmap_resource {
	uint16_t dom;
	uint32_t type;
	uint32_t id;
	uint32_t idx;
	uint64_t num;
	uint64_t addr;
};

#define IOCTL_PRIVCMD_MMAPBATCH_V2 \
	_IOC(_IOC_NONE, 'P', 4, sizeof(struct privcmd_mmapbatch_v2))
#define IOCTL_PRIVCMD_MMAP_RESOURCE \
	_IOC(_IOC_NONE, 'P', 7, sizeof(struct privcmd_mmap_resource))

/* Xen's public memory.h and grant_table.h */
#define XENMEM_RESOURCE_GRANT_TABLE	1
#define GNTTAB_ID_SHARED		0
#define GTF_PERMIT_ACCESS		1
#define DOMID_NONSENSE			0x7ff0	/* DOMID_FIRST_RESERVED */
#define GNTCOPY_SOURCE_GREF		1

struct grant_entry_v1 {
	uint16_t flags;
	uint16_t domid;
	uint32_t frame;
};

#define UPOP_STATS	"/sys/kernel/debug/xen/unpopulated"

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

/* Byte @k of the grants of a gntalloc or gntdev mapping at @base. */
static unsigned char *grant_byte(unsigned char *base, size_t k)
{
	return base + k / XEN_PAGE_SIZE * grant_stride() + k % XEN_PAGE_SIZE;
}

static void grant_round_trip(struct __test_metadata *_metadata, unsigned int count)
{
	size_t len = count * grant_stride(), bytes = count * XEN_PAGE_SIZE, i;
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
	for (i = 0; i < bytes; i++)
		*grant_byte(src, i) = (unsigned char)(i * 7 + 1);

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

	for (i = 0; i < bytes && *grant_byte(dst, i) == *grant_byte(src, i); i++)
		;
	EXPECT_EQ(bytes, i) TH_LOG("grant map differs at byte %zu", i);
	for (i = 0; i < bytes; i++)
		*grant_byte(dst, i) = ~*grant_byte(src, i);
	for (i = 0; i < bytes && *grant_byte(src, i) == (unsigned char)~(i * 7 + 1); i++)
		;
	EXPECT_EQ(bytes, i) TH_LOG("write through the grant map lost at byte %zu", i);
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

/* A field of the allocator's debugfs file, or -1 without it (base kernel). */
static long upop_stat(const char *key)
{
	char buf[4096], *p;
	size_t n = read_file(UPOP_STATS, buf, sizeof(buf) - 1);
	size_t klen = strlen(key);

	buf[n] = 0;
	for (p = buf; n && (p = strstr(p, key)); p += klen)
		if ((p == buf || p[-1] == '\n') && p[klen] == ':')
			return strtol(p + klen + 1, NULL, 10);
	return -1;
}

/* Bytes of the /proc/iomem entries named @name (needs root). */
static long long iomem_bytes(const char *name)
{
	unsigned long long s, e, total = 0;
	char line[256];
	FILE *f = fopen("/proc/iomem", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, " : ");

		if (p && !strncmp(p + 3, name, strlen(name)) &&
		    sscanf(line, " %llx-%llx", &s, &e) == 2)
			total += e - s + 1;
	}
	fclose(f);
	return total;
}

/*
 * kB of RAM the balloon holds on its own list (pages it took from Xen's
 * reservation and keeps for the next ballooned allocation), or 0.
 */
static long balloon_list_kb(void)
{
	static const char * const f[] = {
		"/sys/devices/system/xen_memory/xen_memory0/info/low_kb",
		"/sys/devices/system/xen_memory/xen_memory0/info/high_kb",
	};
	long kb = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		char buf[32] = "";

		if (read_file(f[i], buf, sizeof(buf) - 1))
			kb += strtol(buf, NULL, 10);
	}
	return kb;
}

/*
 * Shrink every slab cache, which also empties KASAN's quarantine of freed
 * objects (up to 1/32 of RAM on the test kernels), so that MemFree moves
 * only with what stays allocated.  Nothing without SLUB's sysfs files.
 */
static void shrink_slabs(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *e;
	char path[300];
	int fd;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", e->d_name);
		fd = open(path, O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "1", 1) != 1)
				perror(path);
			close(fd);
		}
	}
	if (d)
		closedir(d);
}

/* Let the allocator give wholly free chunks back now. */
static void upop_give_back(void)
{
	int fd = open(UPOP_STATS, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			perror(UPOP_STATS);
		close(fd);
	}
}

/* Kernel log lines that a test must never cause. */
static int dmesg_splats(void)
{
	static const char * const bad[] = {
		"WARNING:", "BUG:", "Oops", "KASAN", "kmemleak: ", "lockdep",
		"possible recursive locking", "circular locking",
	};
	int size = klogctl(10, NULL, 0), n, count = 0;
	unsigned int i;
	char *buf, *p;

	if (size <= 0)
		return 0;
	buf = calloc(1, size + 1);
	if (!buf)
		return 0;
	n = klogctl(3, buf, size);
	for (i = 0; n > 0 && i < ARRAY_SIZE(bad); i++)
		for (p = buf; (p = strstr(p, bad[i])); p++)
			count++;
	free(buf);
	return count;
}

/*
 * One grant round trip without the harness, for child processes: share
 * @count pages with ourselves, map them, check the data, undo it all.
 * Returns 0 or a negative errno.
 */
static int grant_cycle(int ga, int gd, int domid, unsigned int count)
{
	size_t len = count * grant_stride();
	struct ioctl_gntalloc_alloc_gref *a;
	struct ioctl_gntdev_map_grant_ref *m;
	struct ioctl_gntdev_unmap_grant_ref u = { 0 };
	struct ioctl_gntalloc_dealloc_gref d = { 0 };
	unsigned char *src = MAP_FAILED, *dst = MAP_FAILED;
	unsigned int i;
	int err = 0;

	a = calloc(1, sizeof(*a) + count * sizeof(a->gref_ids[0]));
	m = calloc(1, sizeof(*m) + count * sizeof(m->refs[0]));
	if (!a || !m) {
		err = -ENOMEM;
		goto out;
	}
	a->domid = domid;
	a->flags = GNTALLOC_FLAG_WRITABLE;
	a->count = count;
	if (ioctl(ga, IOCTL_GNTALLOC_ALLOC_GREF, a)) {
		err = -errno;
		goto out;
	}
	src = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, ga, a->index);
	m->count = count;
	for (i = 0; i < count; i++) {
		m->refs[i].domid = domid;
		m->refs[i].ref = a->gref_ids[i];
	}
	if (src == MAP_FAILED || ioctl(gd, IOCTL_GNTDEV_MAP_GRANT_REF, m)) {
		err = -errno;
		goto dealloc;
	}
	dst = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, gd, m->index);
	if (dst == MAP_FAILED) {
		err = -errno;
	} else {
		for (i = 0; i < count; i++)
			src[i * grant_stride()] = (unsigned char)(i + count);
		for (i = 0; i < count && dst[i * grant_stride()] == (unsigned char)(i + count); i++)
			;
		if (i != count)
			err = -EIO;
		munmap(dst, len);
	}
	u.index = m->index;
	u.count = count;
	if (ioctl(gd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u) && !err)
		err = -errno;
dealloc:
	if (src != MAP_FAILED)
		munmap(src, len);
	d.index = a->index;
	d.count = count;
	if (ioctl(ga, IOCTL_GNTALLOC_DEALLOC_GREF, &d) && !err)
		err = -errno;
out:
	free(a);
	free(m);
	return err;
}

/*
 * Several processes map and unmap in parallel for a bounded time; then the
 * allocator's numbers and MemFree are back where they started.
 */
TEST(stress)
{
	int nproc = env_int("XEN_STRESS_PROCS", 4);
	int seconds = env_int("XEN_STRESS_SECONDS", 3);
	int domid = env_int("XEN_SELF_DOMID", 0);
	long use0, bal0, free0, list0, use1, bal1, free1, list1, splats0 = dmesg_splats();
	long long scratch0, scratch1;
	int fds[2], i, status, failed = 0;
	long cycles = 0, c;

	if (seconds <= 0)
		SKIP(return, "XEN_STRESS_SECONDS=%d", seconds);
	upop_give_back();
	sleep(1);
	shrink_slabs();
	use0 = upop_stat("pages_in_use");
	bal0 = upop_stat("balloon_pages_in_use");
	free0 = meminfo_kb("MemFree");
	list0 = balloon_list_kb();
	scratch0 = iomem_bytes("Xen scratch");
	ASSERT_EQ(0, pipe(fds));
	for (i = 0; i < nproc; i++) {
		if (fork() == 0) {
			time_t end = time(NULL) + seconds;
			int ga = open("/dev/xen/gntalloc", O_RDWR);
			int gd = open("/dev/xen/gntdev", O_RDWR);
			unsigned int seed = i + 1;
			long n = 0;
			int err = ga < 0 || gd < 0 ? -errno : 0;

			while (!err && time(NULL) < end) {
				err = grant_cycle(ga, gd, domid, 1 + rand_r(&seed) % 64);
				n++;
			}
			if (err)
				fprintf(stderr, "# stress child %d: %s\n", i, strerror(-err));
			if (write(fds[1], &n, sizeof(n)) != sizeof(n))
				err = -EIO;
			_exit(err ? 1 : 0);
		}
	}
	close(fds[1]);
	for (i = 0; i < nproc; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	while (read(fds[0], &c, sizeof(c)) == sizeof(c))
		cycles += c;
	close(fds[0]);

	upop_give_back();
	sleep(2);
	shrink_slabs();
	use1 = upop_stat("pages_in_use");
	bal1 = upop_stat("balloon_pages_in_use");
	free1 = meminfo_kb("MemFree");
	list1 = balloon_list_kb();
	scratch1 = iomem_bytes("Xen scratch");
	printf("# %d processes, %d s: %ld map/unmap cycles\n", nproc, seconds, cycles);
	printf("# pages in use %ld -> %ld, ballooned %ld -> %ld\n", use0, use1, bal0, bal1);
	printf("# Xen scratch %lld -> %lld bytes, MemFree %ld -> %ld kB\n",
	       scratch0, scratch1, free0, free1);
	printf("# balloon list %ld -> %ld kB\n", list0, list1);
	EXPECT_EQ(0, failed);
	EXPECT_LT(0, cycles);
	EXPECT_EQ(use0, use1);
	EXPECT_EQ(bal0, bal1);
	/* Everything mapped for the stress was given back. */
	EXPECT_EQ(scratch0, scratch1);
	/*
	 * MemFree also moves with slab and page tables (the slabs are shrunk
	 * and KASAN's quarantine emptied before both readings); leaked
	 * ballooned pages or struct pages of a 128 MiB chunk are more.  Pages
	 * given back to the balloon stay on its list until it repopulates
	 * them (with 64 KiB pages, up to 16 MiB of the stress): they are
	 * accounted, a page given back nowhere is not.
	 */
	EXPECT_LE(free0 - free1 - (list1 - list0), 4096)
		TH_LOG("MemFree dropped by %ld kB, the balloon's list grew by %ld kB",
		       free0 - free1, list1 - list0);
	EXPECT_EQ(splats0, dmesg_splats());
}

static bool bad_input_wanted(void)
{
	return env_int("XEN_BAD_INPUT", 1) != 0;
}

/* ioctl(@fd, @cmd, @arg) must fail; returns errno (0 if it did not fail). */
static int must_fail(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

TEST(bad_input_gntdev)
{
	int gd = open("/dev/xen/gntdev", O_RDWR), domid = env_int("XEN_SELF_DOMID", 0);
	struct ioctl_gntdev_map_grant_ref m = { .count = 1 };
	struct ioctl_gntdev_map_grant_ref m0 = { .count = 0 };
	struct ioctl_gntdev_map_grant_ref mbig = { .count = 0x7fffffff };
	struct ioctl_gntdev_unmap_grant_ref u = { .index = 0xdead0000, .count = 1 };
	struct ioctl_gntdev_get_offset_for_vaddr o = { .vaddr = 0x1000 };
	struct ioctl_gntdev_unmap_notify n = { .index = 0xdead0000,
					       .action = UNMAP_NOTIFY_CLEAR_BYTE };
	struct gntdev_grant_copy_segment seg = { 0 };
	struct ioctl_gntdev_grant_copy gc = { .count = 1, .segments = &seg };
	long use0 = upop_stat("pages_in_use"), splats0 = dmesg_splats();
	char buf[64];
	void *va;

	if (!bad_input_wanted())
		SKIP(return, "XEN_BAD_INPUT=0");

	ASSERT_GE(gd, 0);
	EXPECT_EQ(EINVAL, must_fail(gd, IOCTL_GNTDEV_MAP_GRANT_REF, &m0));
	EXPECT_EQ(EINVAL, must_fail(gd, IOCTL_GNTDEV_MAP_GRANT_REF, &mbig));
	EXPECT_NE(0, must_fail(gd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u));
	EXPECT_NE(0, must_fail(gd, IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR, &o));
	EXPECT_NE(0, must_fail(gd, IOCTL_GNTDEV_SET_UNMAP_NOTIFY, &n));
	EXPECT_EQ(EFAULT, must_fail(gd, IOCTL_GNTDEV_MAP_GRANT_REF, (void *)8));

	/* A grant that does not exist, then a domain that does not: the map is
	 * taken lazily, mmap() must fail, and the unmap give everything back.
	 */
	m.refs[0].domid = domid;
	m.refs[0].ref = 0xfffffff0;
	ASSERT_EQ(0, ioctl(gd, IOCTL_GNTDEV_MAP_GRANT_REF, &m));
	va = mmap(NULL, XEN_PAGE_SIZE, PROT_READ, MAP_SHARED, gd, m.index);
	EXPECT_EQ(MAP_FAILED, va) munmap(va, XEN_PAGE_SIZE);
	u.index = m.index;
	EXPECT_EQ(0, ioctl(gd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u));
	m.refs[0].domid = DOMID_NONSENSE;
	m.refs[0].ref = 8;
	ASSERT_EQ(0, ioctl(gd, IOCTL_GNTDEV_MAP_GRANT_REF, &m));
	va = mmap(NULL, XEN_PAGE_SIZE, PROT_READ, MAP_SHARED, gd, m.index);
	EXPECT_EQ(MAP_FAILED, va) munmap(va, XEN_PAGE_SIZE);
	u.index = m.index;
	EXPECT_EQ(0, ioctl(gd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u));

	/* Copy from a grant that does not exist: a per-segment status. */
	seg.source.foreign.ref = 0xfffffff0;
	seg.source.foreign.domid = domid;
	seg.dest.virt = buf;
	seg.len = sizeof(buf);
	seg.flags = GNTCOPY_SOURCE_GREF;
	seg.status = 0;
	EXPECT_EQ(0, ioctl(gd, IOCTL_GNTDEV_GRANT_COPY, &gc));
	EXPECT_NE(0, seg.status);
	/* A segment crossing a page: refused before any copy. */
	seg.source.foreign.offset = XEN_PAGE_SIZE - 8;
	EXPECT_EQ(EINVAL, must_fail(gd, IOCTL_GNTDEV_GRANT_COPY, &gc));

	close(gd);
	EXPECT_EQ(use0, upop_stat("pages_in_use"));
	EXPECT_EQ(splats0, dmesg_splats());
}

TEST(bad_input_gntalloc)
{
	int ga = open("/dev/xen/gntalloc", O_RDWR);
	struct ioctl_gntalloc_alloc_gref a = { .domid = 0, .count = 0x7fffffff };
	struct ioctl_gntalloc_dealloc_gref d = { .index = 0xdead0000, .count = 1 };
	struct ioctl_gntalloc_unmap_notify n = { .index = 0xdead0000,
						 .action = UNMAP_NOTIFY_CLEAR_BYTE };
	long splats0 = dmesg_splats();

	if (!bad_input_wanted())
		SKIP(return, "XEN_BAD_INPUT=0");

	ASSERT_GE(ga, 0);
	EXPECT_NE(0, must_fail(ga, IOCTL_GNTALLOC_ALLOC_GREF, &a));
	EXPECT_NE(0, must_fail(ga, IOCTL_GNTALLOC_DEALLOC_GREF, &d));
	EXPECT_NE(0, must_fail(ga, IOCTL_GNTALLOC_SET_UNMAP_NOTIFY, &n));
	EXPECT_EQ(EFAULT, must_fail(ga, IOCTL_GNTALLOC_ALLOC_GREF, (void *)8));
	close(ga);
	EXPECT_EQ(splats0, dmesg_splats());
}

/*
 * Whether privcmd refused a call with @want; a domain other than dom0 may
 * be refused everything (EPERM) first.
 */
static bool privcmd_refused(int want, int got)
{
	return got == want || (got && env_int("XEN_SELF_DOMID", 0) != 0);
}

TEST(bad_input_privcmd)
{
	int pc = open("/dev/xen/privcmd", O_RDWR);
	int foreign = env_int("XEN_FOREIGN_DOMID", DOMID_NONSENSE);
	uint64_t gfn = 0x40000;
	int err = 0;
	struct privcmd_mmapbatch_v2 b = { .num = 1, .dom = foreign, .arr = &gfn,
					  .err = &err };
	struct privcmd_mmap_resource r = { .dom = foreign,
					   .type = XENMEM_RESOURCE_GRANT_TABLE };
	long use0 = upop_stat("pages_in_use"), splats0 = dmesg_splats();
	static char not_privcmd[2 * 4096];
	size_t page = sysconf(_SC_PAGESIZE);
	void *va;

	if (!bad_input_wanted())
		SKIP(return, "XEN_BAD_INPUT=0");

	ASSERT_GE(pc, 0);
	va = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, pc, 0);
	ASSERT_NE(MAP_FAILED, va);

	b.num = 0;
	b.addr = (uintptr_t)va;
	EXPECT_TRUE(privcmd_refused(EINVAL, must_fail(pc, IOCTL_PRIVCMD_MMAPBATCH_V2, &b)));
	b.num = 0xffffffff;
	EXPECT_NE(0, must_fail(pc, IOCTL_PRIVCMD_MMAPBATCH_V2, &b));
	b.num = 1;
	b.addr = (uintptr_t)not_privcmd;
	EXPECT_TRUE(privcmd_refused(EINVAL, must_fail(pc, IOCTL_PRIVCMD_MMAPBATCH_V2, &b)));
	b.addr = (uintptr_t)va + 1;
	EXPECT_TRUE(privcmd_refused(EINVAL, must_fail(pc, IOCTL_PRIVCMD_MMAPBATCH_V2, &b)));
	/* A domain that does not exist: the call or the frame fails. */
	b.addr = (uintptr_t)va;
	b.dom = DOMID_NONSENSE;
	err = 0;
	EXPECT_TRUE(must_fail(pc, IOCTL_PRIVCMD_MMAPBATCH_V2, &b) || err);

	munmap(va, page);

	/* Each resource case on a fresh one-page mapping. */
	va = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, pc, 0);
	ASSERT_NE(MAP_FAILED, va);
	r.type = 0xdead;
	r.num = 1;
	r.addr = (uintptr_t)va;
	EXPECT_NE(0, must_fail(pc, IOCTL_PRIVCMD_MMAP_RESOURCE, &r));
	munmap(va, page);
	r.type = XENMEM_RESOURCE_GRANT_TABLE;
	r.addr = 0;	/* a count without an address */
	EXPECT_TRUE(privcmd_refused(EINVAL, must_fail(pc, IOCTL_PRIVCMD_MMAP_RESOURCE, &r)));
	r.addr = (uintptr_t)not_privcmd;
	EXPECT_TRUE(privcmd_refused(EINVAL, must_fail(pc, IOCTL_PRIVCMD_MMAP_RESOURCE, &r)));
	va = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, pc, 0);
	ASSERT_NE(MAP_FAILED, va);
	r.addr = (uintptr_t)va;
	r.num = 1ULL << 40;	/* far more than the mapping */
	EXPECT_TRUE(privcmd_refused(EINVAL, must_fail(pc, IOCTL_PRIVCMD_MMAP_RESOURCE, &r)));
	r.num = page / XEN_PAGE_SIZE + 1;	/* one frame more than the mapping */
	EXPECT_TRUE(privcmd_refused(EINVAL, must_fail(pc, IOCTL_PRIVCMD_MMAP_RESOURCE, &r)));
	r.num = 1;
	r.dom = DOMID_NONSENSE;
	EXPECT_NE(0, must_fail(pc, IOCTL_PRIVCMD_MMAP_RESOURCE, &r));
	/* The mapping has its pages now: a second call must not take more. */
	EXPECT_TRUE(privcmd_refused(EINVAL, must_fail(pc, IOCTL_PRIVCMD_MMAP_RESOURCE, &r)));
	munmap(va, page);
	close(pc);
	EXPECT_EQ(use0, upop_stat("pages_in_use"));
	EXPECT_EQ(splats0, dmesg_splats());
}

/*
 * Map a Xen resource of the foreign domain, its grant table, and find in
 * it the grants it gave us: the data is real, and no RAM went for it.
 */
TEST(mmap_resource)
{
	int domid = env_int("XEN_FOREIGN_DOMID", -1), self = env_int("XEN_SELF_DOMID", 0);
	struct privcmd_mmap_resource r = { .type = XENMEM_RESOURCE_GRANT_TABLE,
					   .id = GNTTAB_ID_SHARED };
	struct region regs[MAX_REGIONS];
	const struct grant_entry_v1 *g;
	unsigned int i, ours = 0;
	long total0, total1;
	size_t len;
	void *va;
	int pc;

	if (domid < 0)
		SKIP(return, "XEN_FOREIGN_DOMID not set");
	pc = open("/dev/xen/privcmd", O_RDWR);
	ASSERT_GE(pc, 0);
	r.dom = domid;
	ASSERT_EQ(0, ioctl(pc, IOCTL_PRIVCMD_MMAP_RESOURCE, &r))
		TH_LOG("size of d%d's grant table: %s", domid, strerror(errno));
	ASSERT_LT(0, r.num);
	/* privcmd maps Xen frames into whole pages of the kernel's. */
	len = (r.num * XEN_PAGE_SIZE + sysconf(_SC_PAGESIZE) - 1) /
	      sysconf(_SC_PAGESIZE) * sysconf(_SC_PAGESIZE);
	va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, pc, 0);
	ASSERT_NE(MAP_FAILED, va);
	total0 = meminfo_kb("MemTotal");
	r.addr = (uintptr_t)va;
	ASSERT_EQ(0, ioctl(pc, IOCTL_PRIVCMD_MMAP_RESOURCE, &r))
		TH_LOG("map d%d's grant table: %s", domid, strerror(errno));
	total1 = meminfo_kb("MemTotal");
	g = va;
	for (i = 0; i < len / sizeof(*g); i++)
		ours += (g[i].flags & GTF_PERMIT_ACCESS) && g[i].domid == self;
	printf("# d%d grant table: %llu frames, %u grants to d%d; MemTotal %ld -> %ld kB\n",
	       domid, (unsigned long long)r.num, ours, self, total0, total1);
	EXPECT_LT(0, ours);
	/* From the regions: no RAM; from the balloon: at least the frames. */
	EXPECT_TRUE(expect_regions(read_dt_regions(regs, MAX_REGIONS)) ?
		    total1 == total0 : total1 <= total0 - (long)(len / 1024));
	munmap(va, len);
	close(pc);
}

/* The peer's grant references from XEN_PEER_REFS; returns how many. */
static unsigned int peer_refs(uint32_t *refs, unsigned int max)
{
	const char *p = getenv("XEN_PEER_REFS");
	unsigned int n = 0;
	char *end;

	while (p && n < max) {
		unsigned long v = strtoul(p, &end, 0);

		if (end == p)
			break;
		refs[n++] = v;
		p = end;
	}
	return n;
}

/* Map @count of the peer's grants from @first with one ioctl; 0 or -errno. */
static int peer_map(int gd, int domid, const uint32_t *refs, unsigned int count,
		    void **va, uint64_t *index)
{
	struct ioctl_gntdev_map_grant_ref *m;
	unsigned int i;
	int err = 0;

	m = calloc(1, sizeof(*m) + count * sizeof(m->refs[0]));
	if (!m)
		return -ENOMEM;
	m->count = count;
	for (i = 0; i < count; i++) {
		m->refs[i].domid = domid;
		m->refs[i].ref = refs[i];
	}
	if (ioctl(gd, IOCTL_GNTDEV_MAP_GRANT_REF, m)) {
		err = -errno;
	} else {
		*index = m->index;
		*va = mmap(NULL, count * grant_stride(), PROT_READ | PROT_WRITE,
			   MAP_SHARED, gd, m->index);
		if (*va == MAP_FAILED) {
			struct ioctl_gntdev_unmap_grant_ref u = { m->index, count };

			err = -errno;
			ioctl(gd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u);
		}
	}
	free(m);
	return err;
}

static int peer_unmap(int gd, void *va, uint64_t index, unsigned int count)
{
	struct ioctl_gntdev_unmap_grant_ref u = { index, count };

	munmap(va, count * grant_stride());
	return ioctl(gd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u) ? -errno : 0;
}

/*
 * Pages another domain granted us (xen_grant_peer): map them, find its
 * data, write ours back, and check where the mapping landed.
 */
TEST(grant_map_peer)
{
	int domid = env_int("XEN_PEER_DOMID", -1), gd, bad = 0;
	static uint32_t refs[4096];
	unsigned int i, n = peer_refs(refs, 4096);
	long total0, total1;
	uint64_t index;
	unsigned char *va;

	if (domid < 0 || !n)
		SKIP(return, "XEN_PEER_DOMID or XEN_PEER_REFS not set");
	gd = open("/dev/xen/gntdev", O_RDWR);
	ASSERT_GE(gd, 0);
	total0 = meminfo_kb("MemTotal");
	ASSERT_EQ(0, peer_map(gd, domid, refs, n, (void **)&va, &index));
	total1 = meminfo_kb("MemTotal");
	for (i = 0; i < n; i++) {
		if (!grant_pattern_check(va + i * grant_stride(), i, false))
			bad++;
		grant_pattern_fill(va + i * grant_stride(), i, true);
	}
	EXPECT_EQ(0, bad) TH_LOG("%d of %u pages of d%d without its data", bad, n, domid);
	EXPECT_EQ(0, check_placement(_metadata, "peer grant map", va, n * grant_stride()));
	printf("# %u pages of d%d mapped: MemTotal %ld -> %ld kB\n", n, domid,
	       total0, total1);
	{
		struct region r[MAX_REGIONS];

		if (expect_regions(read_dt_regions(r, MAX_REGIONS)))
			EXPECT_EQ(total0, total1);
	}
	EXPECT_EQ(0, peer_unmap(gd, va, index, n));
	close(gd);
}

/*
 * Map and unmap the peer's grants through gntdev as fast as possible, with
 * 1, 16 and 256 pages per call, for about a second each; prints
 * "BENCH: FIGURE gntdev_map<N>_per_s" (calls per second), XEN_RATE_REPS
 * times (default 1).
 */
TEST(grant_map_rate)
{
	int domid = env_int("XEN_PEER_DOMID", -1), gd, rep, k;
	int reps = env_int("XEN_RATE_REPS", 1);
	static const unsigned int sizes[] = { 1, 16, 256 };
	static uint32_t refs[4096];
	unsigned int n = peer_refs(refs, 4096), bad = 0;

	if (domid < 0 || n < 256)
		SKIP(return, "needs XEN_PEER_DOMID and 256 XEN_PEER_REFS");
	gd = open("/dev/xen/gntdev", O_RDWR);
	ASSERT_GE(gd, 0);
	for (rep = 0; rep < reps; rep++) {
		for (k = 0; k < 3; k++) {
			struct timespec t0, t1;
			long calls = 0;
			double s;

			clock_gettime(CLOCK_MONOTONIC, &t0);
			do {
				uint64_t index;
				void *va;

				ASSERT_EQ(0, peer_map(gd, domid, refs, sizes[k], &va, &index));
				/* Read each page: the peer's data, or ours. */
				for (unsigned int i = 0; i < sizes[k]; i++) {
					const unsigned char *p = va;

					p += i * grant_stride();
					bad += !grant_pattern_check(p, i, true) &&
					       !grant_pattern_check(p, i, false);
				}
				ASSERT_EQ(0, peer_unmap(gd, va, index, sizes[k]));
				calls++;
				clock_gettime(CLOCK_MONOTONIC, &t1);
				s = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
			} while (s < 1.0);
			printf("BENCH: FIGURE gntdev_map%u_per_s %.0f calls=%ld\n",
			       sizes[k], calls / s, calls);
		}
	}
	EXPECT_EQ(0, bad) TH_LOG("%u pages read without the peer's data", bad);
	close(gd);
}

TEST_HARNESS_MAIN
