/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Extended regions: unused guest-physical space advertised by Xen in
 * reg[1..N] of the "xen,xen" device-tree node, used for grant and foreign
 * mappings instead of ballooned-out RAM.
 */
#ifndef _XEN_EXT_REGIONS_H
#define _XEN_EXT_REGIONS_H

#include <linux/range.h>
#include <linux/sizes.h>
#include <linux/types.h>

struct device_node;

/* Index of the first extended region in reg; reg[0] is the grant table. */
#define XEN_EXT_REGION_INDEX	1

/* Why (part of) an extended region is not used; bits of a mask. */
enum xen_ext_reason {
	XEN_EXT_EMPTY,
	XEN_EXT_WRAPS,
	XEN_EXT_GRANT,
	XEN_EXT_RAM,
	XEN_EXT_RESERVED,
	XEN_EXT_IOMEM,
	XEN_EXT_UNPLUGGABLE,
	XEN_EXT_UNALIGNED,
	XEN_EXT_TOO_SMALL,
	XEN_EXT_OVERLAP,
};

/**
 * struct xen_ext_regions - extended regions as advertised
 * @grant: the grant-table region, reg[0]; empty (end < start) if absent
 * @ranges: reg[1..N], in the order of the device tree
 * @reasons: per region, why it is unusable as read (empty, wraps), or 0
 * @nr: number of entries in @ranges
 */
struct xen_ext_regions {
	struct range grant;
	struct range *ranges;
	u32 *reasons;
	unsigned int nr;
};

/**
 * struct xen_ext_env - what extended regions are checked against
 * @grant: the grant-table region
 * @pluggable: the range memory can be hotplugged in
 * @align: what is left of a region is aligned inward to this power of two,
 *	the granule in which the space will be mapped
 * @find_busy: report a range in use that overlaps [start, end]: return a
 *	reason (enum xen_ext_reason) and fill @busy, or return -1
 * @data: passed to @find_busy
 */
struct xen_ext_env {
	struct range grant;
	struct range pluggable;
	u64 align;
	int (*find_busy)(u64 start, u64 end, struct range *busy, void *data);
	void *data;
};

int xen_of_ext_regions(const struct device_node *np,
		       struct xen_ext_regions *regions);
int xen_ext_regions_validate(const struct range *in, unsigned int nr,
			     const u32 *in_reasons,
			     const struct xen_ext_env *env, u32 *reasons,
			     struct range **out);
int xen_ext_find_busy(u64 start, u64 end, struct range *busy, void *data);

/*
 * Fill @regions with the platform's extended regions.  Returns 0 (with
 * regions->nr == 0 when there is none: use the balloon), or -ENODEV when the
 * platform has no list and free space of iomem_resource may be used (x86).
 */
int arch_xen_unpopulated_init(struct xen_ext_regions *regions);

#endif /* _XEN_EXT_REGIONS_H */
