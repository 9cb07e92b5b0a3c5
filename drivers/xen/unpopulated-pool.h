/* SPDX-License-Identifier: GPL-2.0 */
/* State of the unpopulated-page allocator, shared with its KUnit tests. */
#ifndef _XEN_UNPOPULATED_POOL_H
#define _XEN_UNPOPULATED_POOL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

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

struct gen_pool;
struct resource;
struct xen_upop_chunk;

struct xen_upop {
	struct mutex lock;		/* everything below but the atomics */
	struct list_head chunks;	/* every mapped chunk */
	struct list_head avail;		/* chunks with free pages */
	struct xen_upop_chunk *hint;	/* last chunk used, tried first */
	enum xen_upop_policy policy;
	enum xen_upop_source source;
	unsigned long granule;		/* bytes; chunks are multiples */
	struct gen_pool *pool;		/* free space of the regions */
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

#endif /* _XEN_UNPOPULATED_POOL_H */
