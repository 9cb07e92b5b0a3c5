// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the unpopulated-page allocator, included by
 * unpopulated-pool.c.  Struct pages come from a fake source (an array
 * marked ZONE_DEVICE, no memremap_pages()), ballooned pages from the page
 * allocator, and chunks are claimed under a private resource root, so that
 * the tests need no Xen and touch no global state.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kmsg_dump.h>
#include <linux/sort.h>

struct upop_test {
	struct xen_upop u;
	struct resource root;
	long balloon_left;	/* pages the fake balloon can still give */
	long balloon_out;	/* pages it gave and got no back */
	unsigned int maps;
	unsigned int unmaps;
	bool fail_map;
};

/* The ops have no context argument; tests run one at a time. */
static struct upop_test *upop_cur;

static int upop_fake_map(struct xen_upop *u, struct xen_upop_chunk *c)
{
	struct page *pages;
	unsigned long i;

	if (upop_cur->fail_map)
		return -ENOMEM;
	pages = kvcalloc(c->nr_pages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < c->nr_pages; i++) {
		set_page_zone(&pages[i], ZONE_DEVICE);
		pages[i].pgmap = &c->pgmap;
		init_page_count(&pages[i]);
	}
	c->first_page = pages;
	upop_cur->maps++;
	return 0;
}

static void upop_fake_unmap(struct xen_upop *u, struct xen_upop_chunk *c)
{
	kvfree(c->first_page);
	upop_cur->unmaps++;
}

static int upop_fake_balloon_alloc(unsigned int nr, struct page **pages)
{
	unsigned int i;

	if (upop_cur->balloon_left < nr)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i]) {
			while (i--)
				__free_page(pages[i]);
			return -ENOMEM;
		}
	}
	upop_cur->balloon_left -= nr;
	upop_cur->balloon_out += nr;
	return 0;
}

static void upop_fake_balloon_free(unsigned int nr, struct page **pages)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		__free_page(pages[i]);
	upop_cur->balloon_out -= nr;
	upop_cur->balloon_left += nr;
}

static const struct xen_upop_ops upop_fake_ops = {
	.map_pages	= upop_fake_map,
	.unmap_pages	= upop_fake_unmap,
	.balloon_alloc	= upop_fake_balloon_alloc,
	.balloon_free	= upop_fake_balloon_free,
};

#define UPOP_BASE	0x4000000000ULL	/* nothing of the test kernel here */

/* A pool over @nr ranges of @mib[i] MiB, 1 GiB apart. */
static struct xen_upop *upop_setup(struct kunit *test, const unsigned int *mib,
				   unsigned int nr)
{
	struct upop_test *t = test->priv;
	struct range r[8];
	unsigned int i;

	KUNIT_ASSERT_LE(test, nr, ARRAY_SIZE(r));
	for (i = 0; i < nr; i++) {
		r[i].start = UPOP_BASE + i * SZ_1G;
		r[i].end = r[i].start + (u64)mib[i] * SZ_1M - 1;
	}
	KUNIT_ASSERT_EQ(test, xen_upop_add_regions(&t->u, r, nr), 0);
	KUNIT_ASSERT_EQ(test, t->u.nr_regions, nr);
	return &t->u;
}

static int upop_test_init(struct kunit *test)
{
	struct upop_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	mutex_init(&t->u.lock);
	INIT_LIST_HEAD(&t->u.chunks);
	INIT_LIST_HEAD(&t->u.avail);
	INIT_DELAYED_WORK(&t->u.reclaim, xen_upop_reclaim);
	t->u.ops = &upop_fake_ops;
	t->u.policy = XEN_UPOP_AUTO;
	t->u.source = XEN_UPOP_SRC_REGIONS;
	/* The granule of 4 KiB pages; the fake struct pages have no vmemmap. */
	t->u.granule = SZ_2M;
	t->root = (struct resource){ .name = "upop test", .start = 0,
				     .end = U64_MAX, .flags = IORESOURCE_MEM };
	t->u.iomem = &t->root;
	t->balloon_left = 4096;
	test->priv = t;
	upop_cur = t;
	return 0;
}

/* Whatever a test left: everything must come back, and nothing leak. */
static void upop_test_exit(struct kunit *test)
{
	struct upop_test *t = test->priv;
	struct xen_upop *u = &t->u;

	cancel_delayed_work_sync(&u->reclaim);
	mutex_lock(&u->lock);
	xen_upop_give_back(u, true);
	mutex_unlock(&u->lock);
	KUNIT_EXPECT_EQ(test, u->in_use, 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&u->chunks));
	KUNIT_EXPECT_EQ(test, t->maps, t->unmaps);
	KUNIT_EXPECT_EQ(test, t->balloon_out, 0);
	if (u->pool)
		KUNIT_EXPECT_EQ(test, gen_pool_avail(u->pool), gen_pool_size(u->pool));
	xen_upop_drop_regions(u);
	/* Every chunk and region resource was released. */
	KUNIT_EXPECT_PTR_EQ(test, t->root.child, NULL);
	upop_cur = NULL;
}

static int upop_cmp_ptr(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Number of pages of @pages that belong to the pool (not the balloon). */
static unsigned int upop_count_pool(struct xen_upop *u, struct page **pages,
				    unsigned int nr)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr; i++)
		n += !!xen_upop_chunk_of(u, pages[i]);
	return n;
}

/* No page twice in @pages, and every pool page inside a mapped chunk. */
static void upop_expect_distinct(struct kunit *test, struct xen_upop *u,
				 struct page **pages, unsigned int nr)
{
	struct page **s = kmalloc_array(nr, sizeof(*s), GFP_KERNEL);
	unsigned int i, dups = 0, outside = 0;

	KUNIT_ASSERT_NOT_NULL(test, s);
	memcpy(s, pages, nr * sizeof(*s));
	sort(s, nr, sizeof(*s), upop_cmp_ptr, NULL);
	for (i = 1; i < nr; i++)
		dups += s[i] == s[i - 1];
	for (i = 0; i < nr; i++) {
		struct xen_upop_chunk *c = xen_upop_chunk_of(u, pages[i]);

		if (c && xen_upop_offset(c->first_page, pages[i]) >= c->nr_pages)
			outside++;
	}
	kfree(s);
	KUNIT_EXPECT_EQ(test, dups, 0);
	KUNIT_EXPECT_EQ(test, outside, 0);
}

static struct page **upop_array(struct kunit *test, unsigned int nr)
{
	struct page **p = kunit_kcalloc(test, nr, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

/* One request larger than any single extent is served from several. */
static void upop_test_across_ranges(struct kunit *test)
{
	static const unsigned int mib[] = { 4, 2, 2 };
	struct xen_upop *u = upop_setup(test, mib, ARRAY_SIZE(mib));
	unsigned int nr = 8 * SZ_1M / PAGE_SIZE;
	struct page **pages = upop_array(test, nr);
	struct upop_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, xen_upop_alloc(u, nr, pages), 0);
	KUNIT_EXPECT_EQ(test, upop_count_pool(u, pages, nr), nr);
	KUNIT_EXPECT_EQ(test, t->balloon_out, 0);
	KUNIT_EXPECT_EQ(test, u->mapped_bytes, 8 * SZ_1M);
	KUNIT_EXPECT_EQ(test, gen_pool_avail(u->pool), 0);
	KUNIT_EXPECT_GE(test, u->nr_chunks, 3);
	upop_expect_distinct(test, u, pages, nr);
	xen_upop_free(u, nr, pages);
	KUNIT_EXPECT_EQ(test, u->in_use, 0);
}

/* Past the end of the regions the rest of a request is ballooned. */
static void upop_test_exhaustion(struct kunit *test)
{
	static const unsigned int mib[] = { 2 };
	struct xen_upop *u = upop_setup(test, mib, ARRAY_SIZE(mib));
	unsigned int nr = 600, in_pool = SZ_2M / PAGE_SIZE;
	struct page **pages = upop_array(test, nr);
	struct upop_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, xen_upop_alloc(u, nr, pages), 0);
	KUNIT_EXPECT_EQ(test, upop_count_pool(u, pages, nr), in_pool);
	KUNIT_EXPECT_EQ(test, t->balloon_out, nr - in_pool);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&u->balloon_in_use), nr - in_pool);
	upop_expect_distinct(test, u, pages, nr);
	xen_upop_free(u, nr, pages);
	KUNIT_EXPECT_EQ(test, t->balloon_out, 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&u->balloon_in_use), 0);
}

/* xen_unpopulated=regions: no balloon, and a failed request leaves nothing. */
static void upop_test_policy_regions(struct kunit *test)
{
	static const unsigned int mib[] = { 2 };
	struct xen_upop *u = upop_setup(test, mib, ARRAY_SIZE(mib));
	struct page **pages = upop_array(test, 600);
	struct upop_test *t = test->priv;

	u->policy = XEN_UPOP_REGIONS;
	KUNIT_EXPECT_EQ(test, xen_upop_alloc(u, 600, pages), -ENOSPC);
	KUNIT_EXPECT_EQ(test, u->in_use, 0);
	KUNIT_EXPECT_EQ(test, t->balloon_out, 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&u->failures), 1);
	KUNIT_EXPECT_EQ(test, xen_upop_alloc(u, 512, pages), 0);
	xen_upop_free(u, 512, pages);
}

/* The balloon fails too: the pages taken from the pool go back. */
static void upop_test_balloon_fails(struct kunit *test)
{
	static const unsigned int mib[] = { 2 };
	struct xen_upop *u = upop_setup(test, mib, ARRAY_SIZE(mib));
	struct page **pages = upop_array(test, 600);
	struct upop_test *t = test->priv;

	t->balloon_left = 10;
	KUNIT_EXPECT_EQ(test, xen_upop_alloc(u, 600, pages), -ENOMEM);
	KUNIT_EXPECT_EQ(test, u->in_use, 0);
	KUNIT_EXPECT_EQ(test, t->balloon_out, 0);
	KUNIT_EXPECT_EQ(test, t->balloon_left, 10);
}

/* No space can be mapped: everything from the balloon, nothing held. */
static void upop_test_map_fails(struct kunit *test)
{
	static const unsigned int mib[] = { 4 };
	struct xen_upop *u = upop_setup(test, mib, ARRAY_SIZE(mib));
	struct page **pages = upop_array(test, 16);
	struct upop_test *t = test->priv;

	t->fail_map = true;
	KUNIT_ASSERT_EQ(test, xen_upop_alloc(u, 16, pages), 0);
	KUNIT_EXPECT_EQ(test, upop_count_pool(u, pages, 16), 0);
	KUNIT_EXPECT_EQ(test, t->balloon_out, 16);
	KUNIT_EXPECT_EQ(test, gen_pool_avail(u->pool), 4 * SZ_1M);
	KUNIT_EXPECT_EQ(test, u->nr_chunks, 0);
	xen_upop_free(u, 16, pages);
}

/* Pool and balloon pages interleaved in one free go back where they came from. */
static void upop_test_mixed_free(struct kunit *test)
{
	static const unsigned int mib[] = { 2 };
	struct xen_upop *u = upop_setup(test, mib, ARRAY_SIZE(mib));
	unsigned int i, nr = 1024, in_pool = SZ_2M / PAGE_SIZE;
	struct page **pages = upop_array(test, nr);
	struct page **mixed = upop_array(test, nr + 2);
	struct upop_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, xen_upop_alloc(u, nr, pages), 0);
	KUNIT_ASSERT_EQ(test, upop_count_pool(u, pages, nr), in_pool);
	/* pool, balloon, pool, ...; then a hole (NULL) at each end. */
	for (i = 0; i < nr; i++)
		mixed[i + 1] = pages[(i % 2) * in_pool + i / 2];
	xen_upop_free(u, nr + 2, mixed);
	KUNIT_EXPECT_EQ(test, u->in_use, 0);
	KUNIT_EXPECT_EQ(test, t->balloon_out, 0);
	KUNIT_EXPECT_EQ(test, u->bad_frees, 0);
	/* Everything is free again: the whole chunk can be handed out. */
	KUNIT_ASSERT_EQ(test, xen_upop_alloc(u, in_pool, pages), 0);
	KUNIT_EXPECT_EQ(test, upop_count_pool(u, pages, in_pool), in_pool);
	upop_expect_distinct(test, u, pages, in_pool);
	xen_upop_free(u, in_pool, pages);
}

/* Wholly free chunks go back after the delay or when forced, others stay. */
static void upop_test_give_back(struct kunit *test)
{
	static const unsigned int mib[] = { 64 };
	struct xen_upop *u = upop_setup(test, mib, ARRAY_SIZE(mib));
	unsigned int nr = 4 * SZ_1M / PAGE_SIZE;
	struct page **pages = upop_array(test, nr);
	struct upop_test *t = test->priv;
	struct page *one;

	KUNIT_ASSERT_EQ(test, xen_upop_alloc(u, 1, &one), 0);
	KUNIT_ASSERT_EQ(test, xen_upop_alloc(u, nr, pages), 0);
	KUNIT_ASSERT_EQ(test, u->nr_chunks, 2);
	xen_upop_free(u, nr, pages);

	mutex_lock(&u->lock);
	KUNIT_EXPECT_GT(test, xen_upop_give_back(u, false), 0);
	KUNIT_EXPECT_EQ(test, u->nr_chunks, 2);
	xen_upop_give_back(u, true);
	mutex_unlock(&u->lock);
	/* The chunk holding @one is in use and stays. */
	KUNIT_EXPECT_EQ(test, u->nr_chunks, 1);
	KUNIT_EXPECT_EQ(test, u->mapped_bytes, SZ_2M);
	KUNIT_EXPECT_EQ(test, t->unmaps, 1);
	KUNIT_EXPECT_EQ(test, gen_pool_avail(u->pool), 62 * SZ_1M);

	/* The delayed work gives the last one back on its own. */
	xen_upop_free(u, 1, &one);
	KUNIT_EXPECT_TRUE(test, delayed_work_pending(&u->reclaim));
	msleep(jiffies_to_msecs(XEN_UPOP_RECLAIM_DELAY) + 100);
	flush_delayed_work(&u->reclaim);
	KUNIT_EXPECT_EQ(test, u->nr_chunks, 0);
	KUNIT_EXPECT_EQ(test, u->mapped_bytes, 0);
	KUNIT_EXPECT_EQ(test, gen_pool_avail(u->pool), 64 * SZ_1M);
}

/*
 * Random batches of allocations and frees over a pool smaller than the
 * peak: a page is never handed out while it is held.
 */
static void upop_test_no_double_handout(struct kunit *test)
{
	static const unsigned int mib[] = { 2, 4 };
	struct xen_upop *u = upop_setup(test, mib, ARRAY_SIZE(mib));
	unsigned int cap = 4096, held = 0, round, seed = 1;
	struct page **pages = upop_array(test, cap);
	struct page **batch = upop_array(test, 256);

	for (round = 0; round < 400; round++) {
		unsigned int n;

		seed = seed * 1103515245 + 12345;
		n = 1 + (seed >> 16) % 256;
		if ((seed >> 8) & 1 && held + n <= cap) {
			KUNIT_ASSERT_EQ(test, xen_upop_alloc(u, n, batch), 0);
			memcpy(pages + held, batch, n * sizeof(*batch));
			held += n;
			upop_expect_distinct(test, u, pages, held);
		} else {
			n = min(n, held);
			held -= n;
			xen_upop_free(u, n, pages + held);
		}
	}
	KUNIT_EXPECT_EQ(test, u->in_use, upop_count_pool(u, pages, held));
	KUNIT_EXPECT_EQ(test, u->bad_frees, 0);
	xen_upop_free(u, held, pages);
}

/* A page freed more often than it was handed out is refused, not reused. */
static void upop_test_double_free(struct kunit *test)
{
	static const unsigned int mib[] = { 2 };
	struct xen_upop *u = upop_setup(test, mib, ARRAY_SIZE(mib));
	struct page **pages = upop_array(test, 512);
	struct page *two[2], *lost;

	KUNIT_ASSERT_EQ(test, xen_upop_alloc(u, 1, two), 0);
	xen_upop_free(u, 1, two);
	xen_upop_free(u, 1, two);
	KUNIT_EXPECT_EQ(test, u->bad_frees, 1);
	KUNIT_EXPECT_EQ(test, u->in_use, 0);
	KUNIT_ASSERT_EQ(test, xen_upop_alloc(u, 512, pages), 0);
	upop_expect_distinct(test, u, pages, 512);
	xen_upop_free(u, 512, pages);

	if (!IS_ENABLED(CONFIG_DEBUG_LIST))
		kunit_skip(test, "a page freed twice among pages in use needs CONFIG_DEBUG_LIST");
	KUNIT_ASSERT_EQ(test, xen_upop_alloc(u, 2, two), 0);
	lost = two[1];
	two[1] = two[0];
	xen_upop_free(u, 2, two);
	KUNIT_EXPECT_EQ(test, u->bad_frees, 2);
	KUNIT_EXPECT_EQ(test, u->in_use, 1);
	/* All but the page still held; none of them twice, not that one. */
	KUNIT_ASSERT_EQ(test, xen_upop_alloc(u, 511, pages), 0);
	pages[511] = lost;
	upop_expect_distinct(test, u, pages, 512);
	xen_upop_free(u, 512, pages);
}

/* A domU's ~1 TiB region costs metadata for what is mapped, not its size. */
static void upop_test_huge_region(struct kunit *test)
{
	static const unsigned int mib[] = { 1016 * 1024 };
	struct xen_upop *u = upop_setup(test, mib, ARRAY_SIZE(mib));
	struct gen_pool_chunk *gc;
	struct page *one;

	gc = list_first_entry(&u->pool->chunks, struct gen_pool_chunk, next_chunk);
	/* One bit per 2 MiB: 64 KiB of bitmap at most. */
	KUNIT_EXPECT_LE(test, (gc->end_addr - gc->start_addr + 1) >> u->pool->min_alloc_order,
			SZ_64K * BITS_PER_BYTE);
	KUNIT_ASSERT_EQ(test, xen_upop_alloc(u, 1, &one), 0);
	KUNIT_EXPECT_EQ(test, u->mapped_bytes, SZ_2M);
	xen_upop_free(u, 1, &one);
}

struct upop_granule_case {
	const char *name;
	unsigned long page_size;
	unsigned long memmap_entry;	/* sizeof(struct page) */
	unsigned long granule;
};

static const struct upop_granule_case upop_granule_cases[] = {
	{ "4k-pages", SZ_4K, 64, SZ_2M },
	{ "16k-pages", SZ_16K, 64, SZ_4M },
	{ "64k-pages", SZ_64K, 64, SZ_64M },
	/* A struct page that debug options made larger, or not a power of two. */
	{ "4k-pages-56", SZ_4K, 56, SZ_2M },
	{ "16k-pages-72", SZ_16K, 72, SZ_32M },
	{ "64k-pages-80", SZ_64K, 80, SZ_256M },
	{ "4k-pages-128", SZ_4K, 128, SZ_2M },
};

static void upop_granule_desc(const struct upop_granule_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(upop_granule, upop_granule_cases, upop_granule_desc);

/*
 * The granule of each page size: whole subsections, and struct pages that
 * fill whole vmemmap pages, so that no two chunks share a vmemmap page.
 */
static void upop_test_granule(struct kunit *test)
{
	const struct upop_granule_case *c = test->param_value;
	unsigned long g = xen_upop_granule(c->page_size, c->memmap_entry, SZ_2M);

	KUNIT_EXPECT_EQ(test, g, c->granule);
	KUNIT_EXPECT_TRUE(test, is_power_of_2(g));
	KUNIT_EXPECT_EQ(test, g % SZ_2M, 0);
	KUNIT_EXPECT_EQ(test, g / c->page_size * c->memmap_entry % c->page_size, 0);
}

/*
 * On the kernel under test: the memmap of every granule-aligned range
 * starts on a vmemmap page, which also needs the vmemmap itself to be
 * aligned (arm64 offsets it by the start of RAM).
 */
static void upop_test_granule_memmap(struct kunit *test)
{
	unsigned long g = xen_upop_granule(PAGE_SIZE, sizeof(struct page),
					   SUBSECTION_SIZE);
	static const u64 addrs[] = { 0, 0x40000000, 0x80000000, UPOP_BASE,
				     0x200000000ULL };
	unsigned int i, k;

	KUNIT_EXPECT_EQ(test, g % SUBSECTION_SIZE, 0);
	KUNIT_EXPECT_EQ(test, g / PAGE_SIZE * sizeof(struct page) % PAGE_SIZE, 0);
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		for (k = 0; k < 3; k++) {
			u64 a = round_up(addrs[i], g) + k * g;

			KUNIT_EXPECT_EQ_MSG(test, offset_in_page(pfn_to_page(PHYS_PFN(a))), 0,
					    "struct page of %#llx", a);
		}
	}
}

/* Whether a line of the kernel log holds @want. */
static bool upop_log_has(const char *want)
{
	struct kmsg_dump_iter iter;
	bool found = false;
	char line[256];
	size_t len;

	kmsg_dump_rewind(&iter);
	while (!found && kmsg_dump_get_line(&iter, false, line, sizeof(line) - 1, &len)) {
		line[len] = '\0';
		found = strstr(line, want);
	}
	return found;
}

#define UPOP_GR_BASE	0x7e00000000ULL	/* addresses no other case logs */

static int upop_nothing_busy(u64 start, u64 end, struct range *busy, void *data)
{
	return -1;
}

/*
 * With the granule of 64 KiB pages, what Xen gives (2 MiB aligned, 64 MiB
 * at least) goes through the checks as xen_upop_init() sends it: a region
 * smaller than the granule is refused, one that is not aligned is trimmed,
 * the log says why, and the pool hands out only granule-aligned chunks.
 */
static void upop_test_granule_regions(struct kunit *test)
{
	struct upop_test *t = test->priv;
	struct xen_upop *u = &t->u;
	struct range r[] = {
		{ UPOP_GR_BASE, UPOP_GR_BASE + SZ_32M - 1 },
		{ UPOP_GR_BASE + SZ_1G + SZ_2M, UPOP_GR_BASE + SZ_1G + SZ_2M + SZ_128M - 1 },
		{ UPOP_GR_BASE + SZ_2G, UPOP_GR_BASE + SZ_2G + SZ_64M - 1 },
	};
	struct xen_ext_regions adv = {
		.grant = { 1, 0 }, .ranges = r, .nr = ARRAY_SIZE(r),
	};
	struct xen_ext_env env = {
		.grant		= { 1, 0 },
		.pluggable	= { 0, U64_MAX },
		.find_busy	= upop_nothing_busy,
	};
	unsigned int nr = 2 * SZ_64M / PAGE_SIZE + 1;
	struct page **pages = upop_array(test, nr);
	struct xen_upop_chunk *c;
	char want[128];

	u->granule = SZ_64M;
	KUNIT_ASSERT_EQ(test, xen_upop_use_regions(u, &adv, &env), 0);
	KUNIT_EXPECT_EQ(test, u->nr_regions, 2);
	KUNIT_EXPECT_EQ(test, gen_pool_size(u->pool), 2 * SZ_64M);

	if (!IS_ENABLED(CONFIG_PRINTK))
		kunit_skip(test, "no kernel log to read");
	snprintf(want, sizeof(want), "extended region 1: [mem %#018llx-%#018llx]: %s",
		 r[0].start, r[0].end, "rejected (smaller than the granule of 65536 KiB)");
	KUNIT_EXPECT_TRUE_MSG(test, upop_log_has(want), "no log line \"%s\"", want);
	snprintf(want, sizeof(want), "extended region 2: [mem %#018llx-%#018llx]: %s",
		 r[1].start, r[1].end,
		 "trimmed to 64 MiB (not aligned to the granule of 65536 KiB)");
	KUNIT_EXPECT_TRUE_MSG(test, upop_log_has(want), "no log line \"%s\"", want);

	/* Both chunks, then the balloon. */
	KUNIT_ASSERT_EQ(test, xen_upop_alloc(u, nr, pages), 0);
	KUNIT_EXPECT_EQ(test, upop_count_pool(u, pages, nr), nr - 1);
	KUNIT_EXPECT_EQ(test, t->balloon_out, 1);
	KUNIT_EXPECT_EQ(test, u->nr_chunks, 2);
	list_for_each_entry(c, &u->chunks, node) {
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED(c->res.start, SZ_64M));
		KUNIT_EXPECT_EQ(test, resource_size(&c->res), SZ_64M);
	}
	upop_expect_distinct(test, u, pages, nr);
	xen_upop_free(u, nr, pages);
}

static struct kunit_case upop_test_cases[] = {
	KUNIT_CASE(upop_test_across_ranges),
	KUNIT_CASE(upop_test_exhaustion),
	KUNIT_CASE(upop_test_policy_regions),
	KUNIT_CASE(upop_test_balloon_fails),
	KUNIT_CASE(upop_test_map_fails),
	KUNIT_CASE(upop_test_mixed_free),
	KUNIT_CASE(upop_test_give_back),
	KUNIT_CASE(upop_test_no_double_handout),
	KUNIT_CASE(upop_test_double_free),
	KUNIT_CASE(upop_test_huge_region),
	KUNIT_CASE_PARAM(upop_test_granule, upop_granule_gen_params),
	KUNIT_CASE(upop_test_granule_memmap),
	KUNIT_CASE(upop_test_granule_regions),
	{}
};

static struct kunit_suite upop_test_suite = {
	.name = "xen_unpopulated",
	.init = upop_test_init,
	.exit = upop_test_exit,
	.test_cases = upop_test_cases,
};

kunit_test_suite(upop_test_suite);
