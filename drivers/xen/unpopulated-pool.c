// SPDX-License-Identifier: GPL-2.0
/*
 * Unpopulated pages: guest-physical pages with no RAM behind them, where
 * grant and foreign mappings are placed.
 *
 * The space comes from, in order of preference:
 *  - the extended regions Xen advertises to device-tree guests, kept in a
 *    gen_pool whose granule is the smallest range memremap_pages() can map
 *    on its own (see xen_upop_granule()): 2 MiB with 4 KiB pages, so that
 *    every 2 MiB-aligned byte of them can be used;
 *  - on platforms with no such list (x86), free space of iomem_resource;
 *  - the balloon, when there is no usable space, when it runs out, or when
 *    the kernel parameter xen_unpopulated=balloon says so.
 *
 * Space is given struct pages by memremap_pages() one chunk at a time: the
 * first chunk is one granule, later ones grow with what is mapped (up
 * to XEN_UPOP_GROW_MAX) or with the request.  Each chunk keeps its free
 * pages in an array used as a stack, so that a batch is handed out with one
 * memcpy() and nothing in struct page is ours: page->lru is used by drivers
 * (blkback with NVMe), and the grant table's page cache links pages through
 * zone_device_data.
 *
 * A page freed twice would be handed out twice.  With CONFIG_DEBUG_LIST a
 * bitmap per chunk catches every such free; without it, the hot paths stay
 * as short as a bare list and only frees beyond the pages in use of a chunk
 * are caught.
 */

#define pr_fmt(fmt) "xen_unpopulated: " fmt

#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/genalloc.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/memory_hotplug.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <xen/balloon.h>
#include <xen/ext-regions.h>
#include <xen/features.h>
#include <xen/page.h>
#include <xen/xen.h>

/* Largest chunk mapped for small requests: one 4 KiB-page section. */
#define XEN_UPOP_GROW_MAX	SZ_128M

/*
 * A chunk that has been wholly free for this long is unmapped and its
 * space returned, so that the struct pages of a burst go back to RAM; a
 * steady user that frees and allocates again keeps its chunks mapped.
 */
#define XEN_UPOP_RECLAIM_DELAY	HZ

enum xen_upop_policy {
	XEN_UPOP_AUTO,		/* space first, then the balloon */
	XEN_UPOP_REGIONS,	/* never the balloon */
	XEN_UPOP_BALLOON,	/* always the balloon */
};

enum xen_upop_source {
	XEN_UPOP_SRC_BALLOON,	/* no space: everything from the balloon */
	XEN_UPOP_SRC_REGIONS,	/* the extended regions, in @pool */
	XEN_UPOP_SRC_IOMEM,	/* free space of iomem_resource */
};

static const char * const xen_upop_policy_names[] = {
	[XEN_UPOP_AUTO]		= "auto",
	[XEN_UPOP_REGIONS]	= "regions",
	[XEN_UPOP_BALLOON]	= "balloon",
};

static const char * const xen_upop_source_names[] = {
	[XEN_UPOP_SRC_BALLOON]	= "balloon",
	[XEN_UPOP_SRC_REGIONS]	= "extended regions",
	[XEN_UPOP_SRC_IOMEM]	= "free iomem space",
};

/* One memremap_pages() range. */
struct xen_upop_chunk {
	struct dev_pagemap pgmap;
	struct resource res;
	struct list_head node;		/* in xen_upop.chunks */
	struct list_head avail;		/* in xen_upop.avail while nr_free */
	struct page **free;		/* stack of the free pages, nr_free deep */
	unsigned long *free_map;	/* bit set: free; CONFIG_DEBUG_LIST */
	struct page *first_page;	/* ZONE_DEVICE implies a virtual memmap */
	unsigned long nr_pages;
	unsigned long nr_free;
	unsigned long idle_since;	/* jiffies when it became wholly free */
};

struct xen_upop;

/* Where struct pages and ballooned pages come from; faked by the tests. */
struct xen_upop_ops {
	int (*map_pages)(struct xen_upop *u, struct xen_upop_chunk *c);
	void (*unmap_pages)(struct xen_upop *u, struct xen_upop_chunk *c);
	int (*balloon_alloc)(unsigned int nr, struct page **pages);
	void (*balloon_free)(unsigned int nr, struct page **pages);
};

struct xen_upop {
	struct mutex lock;		/* everything below but the atomics */
	struct list_head chunks;	/* every mapped chunk */
	struct list_head avail;		/* chunks with free pages */
	struct xen_upop_chunk *hint;	/* last chunk used, tried first */
	const struct xen_upop_ops *ops;
	enum xen_upop_policy policy;
	enum xen_upop_source source;
	unsigned long granule;		/* bytes; chunks are multiples */
	struct gen_pool *pool;		/* free space of the regions */
	struct resource *iomem;		/* where chunks are claimed */
	struct resource *regions;	/* accepted regions, in iomem */
	unsigned int nr_regions;
	struct delayed_work reclaim;	/* gives wholly free chunks back */

	unsigned long mapped_bytes;
	unsigned long nr_chunks;
	unsigned long in_use;
	unsigned long peak;
	unsigned long bad_frees;
	unsigned long reclaimed;
	atomic_long_t balloon_in_use;
	atomic_long_t balloon_total;
	atomic_long_t failures;
};

static int xen_upop_map_pages(struct xen_upop *u, struct xen_upop_chunk *c);
static void xen_upop_unmap_pages(struct xen_upop *u, struct xen_upop_chunk *c);

static const struct xen_upop_ops xen_upop_real_ops = {
	.map_pages	= xen_upop_map_pages,
	.unmap_pages	= xen_upop_unmap_pages,
	.balloon_alloc	= xen_alloc_ballooned_pages,
	.balloon_free	= xen_free_ballooned_pages,
};

static struct xen_upop xen_upop = {
	.lock	= __MUTEX_INITIALIZER(xen_upop.lock),
	.chunks	= LIST_HEAD_INIT(xen_upop.chunks),
	.avail	= LIST_HEAD_INIT(xen_upop.avail),
	.ops	= &xen_upop_real_ops,
	.policy	= XEN_UPOP_AUTO,
	.source	= XEN_UPOP_SRC_BALLOON,
	.iomem	= &iomem_resource,
};

static int __init xen_upop_parse_policy(char *arg)
{
	int i = arg ? match_string(xen_upop_policy_names,
				   ARRAY_SIZE(xen_upop_policy_names), arg) : -EINVAL;

	if (i < 0) {
		pr_err("xen_unpopulated=%s: want auto, regions or balloon\n", arg);
		return -EINVAL;
	}
	xen_upop.policy = i;
	return 0;
}
early_param("xen_unpopulated", xen_upop_parse_policy);

/**
 * xen_upop_granule() - the smallest range a chunk may have
 * @page_size: PAGE_SIZE
 * @memmap_entry: sizeof(struct page)
 * @subsection: SUBSECTION_SIZE
 *
 * memremap_pages() maps whole subsections.  It also populates and frees
 * the virtual memmap of a range in whole pages: two chunks whose struct
 * pages share a vmemmap page would each populate and free that page (the
 * kernel steps from the first struct page, which need not start a page,
 * and arm64 frees every vmemmap page a range touches).  With 4 KiB pages a
 * subsection's memmap is exactly 8 pages; with 16 and 64 KiB pages it is
 * half and a 32nd of one.  So a chunk is a whole number of subsections and
 * of the ranges whose struct pages fill whole vmemmap pages.  Both are
 * powers of two: the larger is a multiple of the smaller.
 *
 * Return: the granule in bytes: 2 MiB with 4 KiB pages, 4 MiB with 16 KiB
 * pages, 64 MiB with 64 KiB pages (a 64-byte struct page).
 */
static unsigned long xen_upop_granule(unsigned long page_size,
				      unsigned long memmap_entry,
				      unsigned long subsection)
{
	/* gcd(page_size, memmap_entry): page_size is a power of two. */
	unsigned long gcd = min(page_size, memmap_entry & -memmap_entry);

	return max(subsection, page_size / gcd * page_size);
}

static struct xen_upop_chunk *xen_upop_chunk_of(struct xen_upop *u,
						struct page *page)
{
	if (!page || !is_zone_device_page(page) || page->pgmap->owner != u)
		return NULL;
	return container_of(page->pgmap, struct xen_upop_chunk, pgmap);
}

/* Find @size bytes of space and claim them in u->iomem. */
static int xen_upop_get_space(struct xen_upop *u, struct xen_upop_chunk *c,
			      unsigned long size)
{
	struct range mhp;
	unsigned long addr;
	int ret;

	c->res.name = "Xen scratch";
	c->res.flags = IORESOURCE_MEM | IORESOURCE_BUSY;

	if (u->source == XEN_UPOP_SRC_IOMEM) {
		mhp = mhp_get_pluggable_range(true);
		return allocate_resource(u->iomem, &c->res, size,
					 mhp.start, mhp.end, u->granule,
					 NULL, NULL);
	}

	addr = gen_pool_alloc(u->pool, size);
	if (!addr)
		return -ENOSPC;
	c->res.start = addr;
	c->res.end = addr + size - 1;
	/* Nested under the region's own "Xen extended region" entry. */
	ret = insert_resource(u->iomem, &c->res);
	if (ret) {
		pr_err("cannot claim %pR: %d\n", &c->res, ret);
		gen_pool_free(u->pool, addr, size);
	}
	return ret;
}

static void xen_upop_put_space(struct xen_upop *u, struct xen_upop_chunk *c)
{
	unsigned long size = resource_size(&c->res);
	unsigned long addr = c->res.start;

	release_resource(&c->res);
	if (u->source == XEN_UPOP_SRC_REGIONS)
		gen_pool_free(u->pool, addr, size);
}

/* Give the space of @c struct pages: set c->first_page. */
static int xen_upop_map_pages(struct xen_upop *u, struct xen_upop_chunk *c)
{
	void *vaddr;

#ifdef CONFIG_XEN_HAVE_PVMMU
	/*
	 * memremap will build page tables for the new memory so the p2m must
	 * contain invalid entries so the correct non-present PTEs will be
	 * written.
	 */
	if (!xen_feature(XENFEAT_auto_translated_physmap)) {
		unsigned long pfn;

		for (pfn = PHYS_PFN(c->res.start); pfn <= PHYS_PFN(c->res.end); pfn++) {
			if (!set_phys_to_machine(pfn, INVALID_P2M_ENTRY)) {
				pr_warn("set_phys_to_machine() failed, no memory added\n");
				return -ENOMEM;
			}
		}
	}
#endif

	c->pgmap.type = MEMORY_DEVICE_GENERIC;
	c->pgmap.range = (struct range){ c->res.start, c->res.end };
	c->pgmap.nr_range = 1;
	vaddr = memremap_pages(&c->pgmap, NUMA_NO_NODE);
	if (IS_ERR(vaddr)) {
		pr_err("cannot map %pR: %ld\n", &c->res, PTR_ERR(vaddr));
		return PTR_ERR(vaddr);
	}
	c->first_page = pfn_to_page(PHYS_PFN(c->res.start));
	return 0;
}

static void xen_upop_unmap_pages(struct xen_upop *u, struct xen_upop_chunk *c)
{
	memunmap_pages(&c->pgmap);
}

/*
 * The free stack of a small chunk is one page, not a kmalloc() object: the
 * first kmalloc-4k object would cost a whole slab (32 KiB) of RAM.
 */
static bool xen_upop_stack_in_page(unsigned long nr_pages)
{
	return nr_pages * sizeof(struct page *) <= PAGE_SIZE;
}

static struct page **xen_upop_stack_alloc(unsigned long nr_pages)
{
	if (xen_upop_stack_in_page(nr_pages))
		return (struct page **)__get_free_page(GFP_KERNEL);
	return kvmalloc_array(nr_pages, sizeof(struct page *), GFP_KERNEL);
}

static void xen_upop_chunk_free(struct xen_upop_chunk *c)
{
	if (xen_upop_stack_in_page(c->nr_pages))
		free_page((unsigned long)c->free);
	else
		kvfree(c->free);
	bitmap_free(c->free_map);
	kfree(c);
}

/* Map a new chunk of at least @nr_pages pages. Called with u->lock held. */
static noinline int xen_upop_fill(struct xen_upop *u, unsigned long nr_pages)
{
	unsigned long i, size, want = round_up(PFN_PHYS(nr_pages), u->granule);
	struct xen_upop_chunk *c;
	int ret;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;

	/* Grow with what is mapped, so that small users need few chunks. */
	size = max(want, min_t(unsigned long, u->mapped_bytes, XEN_UPOP_GROW_MAX));
	size = round_up(size, u->granule);
	/* No extent that large: take a smaller one, the caller comes back. */
	while ((ret = xen_upop_get_space(u, c, size)) == -ENOSPC ||
	       (ret == -EBUSY && u->source == XEN_UPOP_SRC_IOMEM)) {
		if (size <= u->granule)
			goto err_free;
		size = max(round_down(size / 2, u->granule), u->granule);
	}
	if (ret)
		goto err_free;

	c->nr_pages = PHYS_PFN(size);
	ret = -ENOMEM;
	c->free = xen_upop_stack_alloc(c->nr_pages);
	if (!c->free)
		goto err_space;
	if (IS_ENABLED(CONFIG_DEBUG_LIST)) {
		c->free_map = bitmap_zalloc(c->nr_pages, GFP_KERNEL);
		if (!c->free_map)
			goto err_space;
		bitmap_fill(c->free_map, c->nr_pages);
	}
	c->pgmap.owner = u;
	ret = u->ops->map_pages(u, c);
	if (ret)
		goto err_space;

	/* The top of the stack is the first page: out in address order. */
	for (i = 0; i < c->nr_pages; i++)
		c->free[i] = c->first_page + c->nr_pages - 1 - i;
	c->nr_free = c->nr_pages;
	list_add_tail(&c->node, &u->chunks);
	list_add(&c->avail, &u->avail);
	u->mapped_bytes += size;
	u->nr_chunks++;
	return 0;

err_space:
	xen_upop_put_space(u, c);
err_free:
	xen_upop_chunk_free(c);
	return ret;
}

static void xen_upop_bad_free(struct xen_upop *u, struct page *page)
{
	pr_err_ratelimited("page %#lx freed but not in use: ignored\n",
			   page_to_pfn(page));
	u->bad_frees++;
}

/* Index of @page after @first; huge for a page before it, or NULL. */
static unsigned long xen_upop_offset(struct page *first, struct page *page)
{
	return ((unsigned long)page - (unsigned long)first) / sizeof(*page);
}

/*
 * Return the pages of @c at the start of @pages; stops at the first page
 * that is not in @c.  Returns how many entries of @pages were consumed.
 */
static __always_inline unsigned int
xen_upop_put_run(struct xen_upop *u, struct xen_upop_chunk *c,
		 struct page **pages, unsigned int nr)
{
	unsigned long nr_pages = c->nr_pages, in_use = nr_pages - c->nr_free;
	unsigned long span = nr_pages * sizeof(struct page);
	unsigned int i, put, lim = min_t(unsigned long, nr, in_use);
	struct page **top = c->free + c->nr_free, *first = c->first_page;

	if (!IS_ENABLED(CONFIG_DEBUG_LIST) || !c->free_map) {
		/*
		 * As short as a bare list: one load, one check and one store
		 * per page, two pages a step.
		 */
		for (i = 0; i + 2 <= lim; i += 2) {
			struct page *p0 = pages[i], *p1 = pages[i + 1];

			if ((unsigned long)p0 - (unsigned long)first >= span ||
			    (unsigned long)p1 - (unsigned long)first >= span)
				break;
			top[i] = p0;
			top[i + 1] = p1;
		}
		for (; i < lim; i++) {
			if ((unsigned long)pages[i] - (unsigned long)first >= span)
				break;
			top[i] = pages[i];
		}
		put = i;
	} else {
		for (i = 0, put = 0; i < nr && put < in_use; i++) {
			struct page *page = pages[i];
			unsigned long idx = xen_upop_offset(first, page);

			if (idx >= nr_pages)
				break;
			if (__test_and_set_bit(idx, c->free_map)) {
				xen_upop_bad_free(u, page);
				continue;
			}
			top[put++] = page;
		}
	}
	/* More pages of @c than are in use: refuse the one that is too many. */
	if (i < nr && put == in_use && xen_upop_offset(first, pages[i]) < nr_pages)
		xen_upop_bad_free(u, pages[i++]);

	if (put && !c->nr_free)
		list_add(&c->avail, &u->avail);
	c->nr_free += put;
	u->in_use -= put;
	if (put && c->nr_free == nr_pages) {
		c->idle_since = jiffies;
		/* Cheap when pending: the worker looks at each chunk's idle time. */
		if (!delayed_work_pending(&u->reclaim))
			schedule_delayed_work(&u->reclaim, XEN_UPOP_RECLAIM_DELAY);
	}
	return i;
}

/*
 * Hand out the top @n pages of @c's stack.  Called with u->lock held.
 * Inlined: it is most of the common case of each allocation.
 */
static __always_inline void
xen_upop_get_run(struct xen_upop *u, struct xen_upop_chunk *c,
		 struct page **pages, unsigned int n)
{
	unsigned int i;

	c->nr_free -= n;
	/* A single page is the common case of several backends. */
	if (n == 1)
		pages[0] = c->free[c->nr_free];
	else
		memcpy(pages, c->free + c->nr_free, n * sizeof(*pages));
	for (i = 0; IS_ENABLED(CONFIG_DEBUG_LIST) && c->free_map && i < n; i++)
		__clear_bit(xen_upop_offset(c->first_page, pages[i]), c->free_map);
	if (!c->nr_free)
		list_del_init(&c->avail);
	u->hint = c;
	u->in_use += n;
	if (u->in_use > u->peak)
		u->peak = u->in_use;
}

/* PV guests must also give each page a p2m entry. */
static bool xen_upop_needs_p2m(void)
{
	return IS_ENABLED(CONFIG_XEN_HAVE_PVMMU) &&
	       !xen_feature(XENFEAT_auto_translated_physmap);
}

/*
 * Hand out up to @nr pages from the chunks, mapping new ones as needed.
 * *done counts the pages in @pages.  Returns 0, or why it stopped early.
 * Called with u->lock held; out of line, so that the common case of
 * xen_upop_alloc() stays short.
 */
static noinline int xen_upop_take(struct xen_upop *u, unsigned int nr,
				  struct page **pages, unsigned int *done)
{
	struct xen_upop_chunk *c;
	int ret = 0;

	while (*done < nr) {
		unsigned int n, d = *done;

		c = u->hint;
		if (!c || !c->nr_free)
			c = list_first_entry_or_null(&u->avail, struct xen_upop_chunk,
						     avail);
		if (!c) {
			ret = xen_upop_fill(u, nr - d);
			if (ret)
				break;
			continue;
		}
		n = min_t(unsigned long, nr - d, c->nr_free);
		xen_upop_get_run(u, c, pages + d, n);
		*done = d + n;

#ifdef CONFIG_XEN_HAVE_PVMMU
		if (xen_upop_needs_p2m()) {
			unsigned int i;

			for (i = d; i < d + n; i++) {
				ret = xen_alloc_p2m_entry(page_to_pfn(pages[i]));
				if (ret < 0)
					break;
			}
			if (ret < 0) {
				xen_upop_put_run(u, c, pages + i, d + n - i);
				*done = i;
				break;
			}
		}
#endif
	}
	return ret;
}

static void xen_upop_free(struct xen_upop *u, unsigned int nr_pages,
			  struct page **pages);

/*
 * The pages the chunks could not give, @done of @nr_pages, stopped by
 * @ret: from the balloon unless the policy says no.
 */
static noinline int xen_upop_fallback(struct xen_upop *u, unsigned int nr_pages,
				      struct page **pages, unsigned int done,
				      int ret)
{
	if (u->policy == XEN_UPOP_REGIONS) {
		ret = ret ?: -ENOMEM;
	} else {
		ret = u->ops->balloon_alloc(nr_pages - done, pages + done);
		if (!ret) {
			atomic_long_add(nr_pages - done, &u->balloon_in_use);
			atomic_long_add(nr_pages - done, &u->balloon_total);
			return 0;
		}
	}
	atomic_long_inc(&u->failures);
	xen_upop_free(u, done, pages);
	return ret;
}

static int xen_upop_alloc(struct xen_upop *u, unsigned int nr_pages,
			  struct page **pages)
{
	struct xen_upop_chunk *c;
	unsigned int done = 0;
	int ret = 0;

	if (u->source != XEN_UPOP_SRC_BALLOON) {
		mutex_lock(&u->lock);
		c = u->hint;
		/* The common case, kept short: the last chunk used has them all. */
		if (likely(c && c->nr_free >= nr_pages && !xen_upop_needs_p2m())) {
			xen_upop_get_run(u, c, pages, nr_pages);
			mutex_unlock(&u->lock);
			return 0;
		}
		ret = xen_upop_take(u, nr_pages, pages, &done);
		mutex_unlock(&u->lock);
		if (!ret && done == nr_pages)
			return 0;
	}
	return xen_upop_fallback(u, nr_pages, pages, done, ret);
}

/*
 * Pages of any chunk and ballooned pages.  Called with u->lock held, or
 * with no chunk at all (XEN_UPOP_SRC_BALLOON).
 */
static noinline void xen_upop_free_slow(struct xen_upop *u, unsigned int nr_pages,
					struct page **pages)
{
	unsigned int i, end;

	for (i = 0; i < nr_pages; i = end) {
		struct xen_upop_chunk *c = xen_upop_chunk_of(u, pages[i]);

		if (c) {
			u->hint = c;
			end = i + xen_upop_put_run(u, c, pages + i, nr_pages - i);
			continue;
		}
		end = i + 1;
		if (!pages[i])
			continue;
		/* A run of ballooned pages goes back in one call. */
		while (end < nr_pages && pages[end] && !xen_upop_chunk_of(u, pages[end]))
			end++;
		u->ops->balloon_free(end - i, pages + i);
		atomic_long_sub(end - i, &u->balloon_in_use);
	}
}

static __always_inline void xen_upop_free(struct xen_upop *u, unsigned int nr_pages,
					  struct page **pages)
{
	unsigned int done = 0;

	/* No chunk, nothing to lock: the balloon has its own lock. */
	if (u->source == XEN_UPOP_SRC_BALLOON) {
		xen_upop_free_slow(u, nr_pages, pages);
		return;
	}
	mutex_lock(&u->lock);
	/* The common case, kept short: all from the last chunk used. */
	if (likely(u->hint))
		done = xen_upop_put_run(u, u->hint, pages, nr_pages);
	if (unlikely(done < nr_pages))
		xen_upop_free_slow(u, nr_pages - done, pages + done);
	mutex_unlock(&u->lock);
}

/**
 * xen_alloc_unpopulated_pages - alloc unpopulated pages
 * @nr_pages: Number of pages
 * @pages: pages returned
 *
 * The pages come from the extended regions (or free iomem space) while there
 * is any, and from the balloon for the rest, unless xen_unpopulated=regions.
 *
 * Return: 0 on success, error otherwise
 */
int xen_alloc_unpopulated_pages(unsigned int nr_pages, struct page **pages)
{
	return xen_upop_alloc(&xen_upop, nr_pages, pages);
}
EXPORT_SYMBOL(xen_alloc_unpopulated_pages);

/**
 * xen_free_unpopulated_pages - return unpopulated pages
 * @nr_pages: Number of pages
 * @pages: pages to return
 *
 * Each page goes back to where it came from, the chunks or the balloon.
 */
void xen_free_unpopulated_pages(unsigned int nr_pages, struct page **pages)
{
	xen_upop_free(&xen_upop, nr_pages, pages);
}
EXPORT_SYMBOL(xen_free_unpopulated_pages);

/* No reference left but ours: the struct pages can go. */
static bool xen_upop_chunk_unused(struct xen_upop_chunk *c)
{
	unsigned long i;

	for (i = 0; i < c->nr_pages; i++) {
		if (page_ref_count(c->first_page + i) != 1)
			return false;
	}
	return true;
}

/*
 * Give back the chunks that are wholly free, and have been for
 * XEN_UPOP_RECLAIM_DELAY unless @force.  Returns the jiffies until the next
 * chunk is old enough, or 0.
 */
static unsigned long xen_upop_give_back(struct xen_upop *u, bool force)
{
	struct xen_upop_chunk *c, *tmp;
	unsigned long next = 0;

	lockdep_assert_held(&u->lock);
	list_for_each_entry_safe(c, tmp, &u->chunks, node) {
		unsigned long due = c->idle_since + XEN_UPOP_RECLAIM_DELAY;

		if (c->nr_free != c->nr_pages)
			continue;
		if (!force && time_before(jiffies, due)) {
			next = next ? min(next, due - jiffies) : due - jiffies;
			continue;
		}
		if (!xen_upop_chunk_unused(c)) {
			pr_warn_once("%pR: free but still referenced, kept\n", &c->res);
			continue;
		}
		list_del(&c->node);
		list_del(&c->avail);
		if (u->hint == c)
			u->hint = NULL;
		u->ops->unmap_pages(u, c);
		xen_upop_put_space(u, c);
		u->mapped_bytes -= PFN_PHYS(c->nr_pages);
		u->nr_chunks--;
		u->reclaimed++;
		xen_upop_chunk_free(c);
	}
	return next;
}

static void xen_upop_reclaim(struct work_struct *work)
{
	struct xen_upop *u = container_of(to_delayed_work(work),
					  struct xen_upop, reclaim);
	unsigned long next;

	mutex_lock(&u->lock);
	next = xen_upop_give_back(u, false);
	if (next)
		schedule_delayed_work(&u->reclaim, next);
	mutex_unlock(&u->lock);
}

static int xen_upop_show(struct seq_file *m, void *v)
{
	struct xen_upop *u = m->private;
	unsigned int i;

	mutex_lock(&u->lock);
	seq_printf(m, "policy: %s\n", xen_upop_policy_names[u->policy]);
	seq_printf(m, "source: %s\n", xen_upop_source_names[u->source]);
	seq_printf(m, "regions: %u\n", u->nr_regions);
	for (i = 0; i < u->nr_regions; i++)
		seq_printf(m, "region: %#llx-%#llx\n", u->regions[i].start,
			   u->regions[i].end);
	seq_printf(m, "granule_bytes: %lu\n", u->granule);
	seq_printf(m, "pool_bytes: %zu\n", u->pool ? gen_pool_size(u->pool) : 0);
	seq_printf(m, "pool_free_bytes: %zu\n", u->pool ? gen_pool_avail(u->pool) : 0);
	seq_printf(m, "mapped_bytes: %lu\n", u->mapped_bytes);
	seq_printf(m, "chunks: %lu\n", u->nr_chunks);
	seq_printf(m, "pages_in_use: %lu\n", u->in_use);
	seq_printf(m, "pages_in_use_peak: %lu\n", u->peak);
	seq_printf(m, "balloon_pages_in_use: %ld\n", atomic_long_read(&u->balloon_in_use));
	seq_printf(m, "balloon_pages_total: %ld\n", atomic_long_read(&u->balloon_total));
	seq_printf(m, "failures: %ld\n", atomic_long_read(&u->failures));
	seq_printf(m, "bad_frees: %lu\n", u->bad_frees);
	seq_printf(m, "reclaimed_chunks: %lu\n", u->reclaimed);
	mutex_unlock(&u->lock);
	return 0;
}

static int xen_upop_open(struct inode *inode, struct file *file)
{
	return single_open(file, xen_upop_show, inode->i_private);
}

/* Any write gives wholly free chunks back now, not after the delay. */
static ssize_t xen_upop_write(struct file *file, const char __user *buf,
			      size_t len, loff_t *ppos)
{
	struct xen_upop *u = ((struct seq_file *)file->private_data)->private;

	mutex_lock(&u->lock);
	xen_upop_give_back(u, true);
	mutex_unlock(&u->lock);
	return len;
}

static const struct file_operations xen_upop_fops = {
	.owner		= THIS_MODULE,
	.open		= xen_upop_open,
	.read		= seq_read,
	.write		= xen_upop_write,
	.llseek		= seq_lseek,
	.release	= single_release,
};

static void __init xen_upop_debugfs(struct xen_upop *u)
{
	struct dentry *dir = debugfs_lookup("xen", NULL);

	if (!dir)
		dir = debugfs_create_dir("xen", NULL);
	debugfs_create_file("unpopulated", 0600, dir, u, &xen_upop_fops);
}

int __weak __init arch_xen_unpopulated_init(struct xen_ext_regions *regions)
{
	memset(regions, 0, sizeof(*regions));
	return -ENODEV;
}

/* Reserve the accepted regions in u->iomem and put them in the pool. */
static int xen_upop_add_regions(struct xen_upop *u, const struct range *r,
				unsigned int nr)
{
	unsigned long total = 0;
	unsigned int i;

	u->pool = gen_pool_create(ilog2(u->granule), NUMA_NO_NODE);
	u->regions = kcalloc(nr, sizeof(*u->regions), GFP_KERNEL);
	if (!u->pool || !u->regions)
		return -ENOMEM;

	for (i = 0; i < nr; i++) {
		struct resource *res = &u->regions[u->nr_regions];

		res->name = "Xen extended region";
		res->start = r[i].start;
		res->end = r[i].end;
		res->flags = IORESOURCE_MEM;
		/* Nothing else may claim the space from now on. */
		if (insert_resource(u->iomem, res)) {
			pr_err("cannot reserve %pR: not used\n", res);
			continue;
		}
		if (gen_pool_add(u->pool, r[i].start, range_len(&r[i]), NUMA_NO_NODE)) {
			release_resource(res);
			continue;
		}
		total += range_len(&r[i]);
		u->nr_regions++;
	}
	if (!u->nr_regions)
		return -ENOSPC;
	pr_info("%u extended regions, %lu MiB for grant and foreign mappings, mapped in %lu KiB granules\n",
		u->nr_regions, total >> 20, u->granule >> 10);
	return 0;
}

static void xen_upop_drop_regions(struct xen_upop *u)
{
	while (u->nr_regions)
		release_resource(&u->regions[--u->nr_regions]);
	kfree(u->regions);
	u->regions = NULL;
	if (u->pool)
		gen_pool_destroy(u->pool);
	u->pool = NULL;
}

/*
 * Check the advertised regions against @env and the granule, and put what
 * is usable in the pool.  Returns 0, or -ENOSPC when nothing is usable.
 */
static int xen_upop_use_regions(struct xen_upop *u,
				const struct xen_ext_regions *adv,
				struct xen_ext_env *env)
{
	struct range *ok;
	int n;

	env->align = u->granule;
	n = xen_ext_regions_validate(adv->ranges, adv->nr, adv->reasons, env,
				     NULL, &ok);
	if (n > 0)
		n = xen_upop_add_regions(u, ok, n);
	else if (!n)
		n = -ENOSPC;
	kfree(ok);
	return n;
}

static int __init xen_upop_init(void)
{
	struct xen_upop *u = &xen_upop;
	struct xen_ext_regions adv;
	int ret;

	if (!xen_domain())
		return -ENODEV;

	INIT_DELAYED_WORK(&u->reclaim, xen_upop_reclaim);
	xen_upop_debugfs(u);
	u->granule = xen_upop_granule(PAGE_SIZE, sizeof(struct page),
				      SUBSECTION_SIZE);

	if (u->policy == XEN_UPOP_BALLOON) {
		pr_info("policy balloon: mappings use ballooned RAM\n");
		return 0;
	}

	ret = arch_xen_unpopulated_init(&adv);
	if (ret == -ENODEV) {
		/* No list from the platform: any free space will do. */
		u->granule = PAGES_PER_SECTION * PAGE_SIZE;
		u->source = XEN_UPOP_SRC_IOMEM;
		return 0;
	}
	if (!ret && adv.nr) {
		struct xen_ext_env env = {
			.grant		= adv.grant,
			.pluggable	= mhp_get_pluggable_range(true),
			.find_busy	= xen_ext_find_busy,
		};

		ret = xen_upop_use_regions(u, &adv, &env);
	} else if (!ret) {
		ret = -ENOENT;
	}
	kfree(adv.ranges);
	kfree(adv.reasons);

	if (!ret) {
		u->source = XEN_UPOP_SRC_REGIONS;
		return 0;
	}
	xen_upop_drop_regions(u);
	if (ret == -ENOENT)
		pr_info("no extended region advertised: %s\n",
			u->policy == XEN_UPOP_REGIONS ?
			"xen_unpopulated=regions, mappings will fail" :
			"mappings use ballooned RAM");
	else
		pr_warn("no usable extended region (%d): %s\n", ret,
			u->policy == XEN_UPOP_REGIONS ?
			"xen_unpopulated=regions, mappings will fail" :
			"mappings use ballooned RAM");
	return 0;
}

/*
 * After the platform devices claimed their resources (arch_initcall_sync),
 * so that a region overlapping one is trimmed; before the first backend.
 */
subsys_initcall(xen_upop_init);

#ifdef CONFIG_XEN_UNPOPULATED_KUNIT_TEST
#include "unpopulated-pool-test.c"
#endif
