// SPDX-License-Identifier: GPL-2.0
/*
 * Extended regions: unused guest-physical space that Xen advertises to a
 * device-tree based guest as reg[1..N] of the "xen,xen" node, next to the
 * grant-table region in reg[0].  Grant and foreign mappings can be placed
 * there instead of in ballooned-out RAM.
 *
 * The binding promises neither an order nor a size, so every region is
 * checked on its own against what the kernel already knows to be in use,
 * trimmed to what is safe; a bad region never disables the good ones.
 */

#define pr_fmt(fmt) "xen: " fmt

#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/memblock.h>
#include <linux/memory_hotplug.h>
#include <linux/of.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include <xen/ext-regions.h>

static const char * const xen_ext_reason_names[] = {
	[XEN_EXT_EMPTY]		= "empty",
	[XEN_EXT_WRAPS]		= "wraps past the top of the address space",
	[XEN_EXT_GRANT]		= "overlaps the grant-table region",
	[XEN_EXT_RAM]		= "overlaps RAM",
	[XEN_EXT_RESERVED]	= "overlaps reserved memory",
	[XEN_EXT_IOMEM]		= "overlaps a resource in use",
	[XEN_EXT_UNPLUGGABLE]	= "outside the hotpluggable range",
	/* Followed by the granule's size, see xen_ext_log(). */
	[XEN_EXT_UNALIGNED]	= "not aligned to the granule of",
	[XEN_EXT_TOO_SMALL]	= "smaller than the granule of",
	[XEN_EXT_OVERLAP]	= "overlaps another extended region",
};

/* A piece of one advertised region, as it is cut down by the checks. */
struct xen_ext_piece {
	u64 start;
	u64 end;		/* inclusive */
	unsigned int region;	/* index into the advertised regions */
};

struct xen_ext_pieces {
	struct xen_ext_piece *p;
	unsigned int nr;
	unsigned int cap;
};

static int xen_ext_push(struct xen_ext_pieces *v, u64 start, u64 end,
			unsigned int region)
{
	if (v->nr == v->cap) {
		unsigned int cap = max(2 * v->cap, 8U);
		struct xen_ext_piece *p;

		p = krealloc_array(v->p, cap, sizeof(*p), GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		v->p = p;
		v->cap = cap;
	}
	v->p[v->nr++] = (struct xen_ext_piece){ start, end, region };
	return 0;
}

/*
 * Remove [bs, be] from piece i.  What is left of the piece stays at index
 * i, a second remainder is appended.  Returns 0, or -ENOMEM.
 */
static int xen_ext_cut(struct xen_ext_pieces *v, unsigned int i, u64 bs, u64 be)
{
	struct xen_ext_piece *p = &v->p[i];
	u64 start = p->start, end = p->end;

	if (bs > start && be < end) {
		p->end = bs - 1;
		return xen_ext_push(v, be + 1, end, p->region);
	}
	if (bs <= start && be >= end) {
		/* Nothing left: mark the piece empty. */
		p->start = 1;
		p->end = 0;
	} else if (bs <= start) {
		p->start = be + 1;
	} else {
		p->end = bs - 1;
	}
	return 0;
}

static bool xen_ext_piece_empty(const struct xen_ext_piece *p)
{
	return p->start > p->end;
}

/*
 * Cut every piece of region r against what env reports busy, and against
 * the fixed ranges (grant table, page 0, outside the pluggable range).
 */
static int xen_ext_trim(struct xen_ext_pieces *v, unsigned int first,
			const struct xen_ext_env *env, u32 *reasons)
{
	unsigned int i;
	int ret;

	for (i = first; i < v->nr; i++) {
		struct xen_ext_piece *p = &v->p[i];
		struct range busy;
		int why;

		if (env->grant.end >= env->grant.start &&
		    p->start <= env->grant.end && env->grant.start <= p->end) {
			*reasons |= BIT(XEN_EXT_GRANT);
			ret = xen_ext_cut(v, i, env->grant.start, env->grant.end);
			if (ret)
				return ret;
			p = &v->p[i];
		}
		/* Page 0 cannot be told apart from a failed gen_pool_alloc(). */
		if (p->start < env->pluggable.start || p->start == 0) {
			*reasons |= BIT(XEN_EXT_UNPLUGGABLE);
			ret = xen_ext_cut(v, i, 0,
					  max_t(u64, env->pluggable.start, 1) - 1);
			if (ret)
				return ret;
			p = &v->p[i];
		}
		if (!xen_ext_piece_empty(p) && p->end > env->pluggable.end) {
			*reasons |= BIT(XEN_EXT_UNPLUGGABLE);
			ret = xen_ext_cut(v, i, env->pluggable.end + 1, U64_MAX);
			if (ret)
				return ret;
			p = &v->p[i];
		}
		/* A cut may append a remainder; it is checked in its turn. */
		while (!xen_ext_piece_empty(p) &&
		       (why = env->find_busy(p->start, p->end, &busy, env->data)) >= 0) {
			/* A busy range must overlap, or no cut makes progress. */
			if (busy.start > p->end || busy.end < p->start) {
				pr_err("find_busy reported %#llx-%#llx outside %#llx-%#llx\n",
				       busy.start, busy.end, p->start, p->end);
				return -EINVAL;
			}
			*reasons |= BIT(why);
			ret = xen_ext_cut(v, i, max_t(u64, busy.start, p->start),
					  min_t(u64, busy.end, p->end));
			if (ret)
				return ret;
			p = &v->p[i];
		}
	}
	return 0;
}

static int xen_ext_cmp(const void *a, const void *b)
{
	const struct xen_ext_piece *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->region < y->region ? -1 : x->region > y->region;
}

static void xen_ext_log(unsigned int i, const struct range *r, u64 accepted,
			u32 reasons, u64 align)
{
	char why[256] = "";
	unsigned int b, len = 0;

	for (b = 0; b < ARRAY_SIZE(xen_ext_reason_names); b++) {
		if (!(reasons & BIT(b)))
			continue;
		len += scnprintf(why + len, sizeof(why) - len, "%s%s",
				 len ? ", " : "", xen_ext_reason_names[b]);
		if (b == XEN_EXT_UNALIGNED || b == XEN_EXT_TOO_SMALL)
			len += scnprintf(why + len, sizeof(why) - len, " %llu KiB",
					 align >> 10);
	}

	if (reasons & (BIT(XEN_EXT_EMPTY) | BIT(XEN_EXT_WRAPS)))
		pr_info("extended region %u at %#llx: rejected (%s)\n",
			i + 1, r->start, why);
	else if (!accepted)
		pr_info("extended region %u: [mem %#018llx-%#018llx]: rejected (%s)\n",
			i + 1, r->start, r->end, why);
	else if (!reasons)
		pr_info("extended region %u: [mem %#018llx-%#018llx]: accepted, %llu MiB\n",
			i + 1, r->start, r->end, accepted >> 20);
	else
		pr_info("extended region %u: [mem %#018llx-%#018llx]: trimmed to %llu MiB (%s)\n",
			i + 1, r->start, r->end, accepted >> 20, why);
}

/**
 * xen_ext_regions_validate() - choose the usable parts of extended regions
 * @in: the regions as advertised (reg[1..N]), in any order; a region whose
 *	end is before its start (see xen_of_ext_regions()) is taken as empty
 *	or wrapping, as XEN_EXT_EMPTY or XEN_EXT_WRAPS in @in_reasons tell.
 * @nr: number of regions in @in
 * @in_reasons: per region, reasons already found while reading (may be NULL)
 * @env: the grant-table region, the pluggable range and what is in use
 * @reasons: out, per region, a mask of BIT(enum xen_ext_reason) (may be NULL)
 * @out: out, the accepted ranges, sorted, disjoint, each start and end + 1
 *	aligned to @env->align; kfree() it
 *
 * Every region is trimmed on its own: parts that overlap the grant-table
 * region, RAM, reserved memory, a resource in use or the outside of the
 * pluggable range are cut away, what is left is aligned inward to
 * @env->align and pieces smaller than that are dropped.  Overlapping and
 * adjacent regions are merged.  One line per region is logged with the
 * reasons found, whether or not the caller asked for them in @reasons.
 *
 * Return: the number of accepted ranges, -ENOMEM, or -EINVAL when
 * @env->align is not a power of two or @env->find_busy reports a range that
 * does not overlap what it was asked.
 */
int xen_ext_regions_validate(const struct range *in, unsigned int nr,
			     const u32 *in_reasons,
			     const struct xen_ext_env *env, u32 *reasons,
			     struct range **out)
{
	struct xen_ext_pieces v = {};
	u32 *why_all = reasons;
	unsigned int i, j, n = 0;
	struct range *res;
	u64 *accepted;
	int ret = -ENOMEM;

	*out = NULL;
	if (!is_power_of_2(env->align))
		return -EINVAL;
	accepted = kcalloc(max(nr, 1U), sizeof(*accepted), GFP_KERNEL);
	/* The log gives the reasons even to a caller that does not keep them. */
	if (!reasons)
		why_all = kcalloc(max(nr, 1U), sizeof(*why_all), GFP_KERNEL);
	if (!accepted || !why_all)
		goto out;
	memset(why_all, 0, nr * sizeof(*why_all));

	for (i = 0; i < nr; i++) {
		u32 why = in_reasons ? in_reasons[i] : 0;
		unsigned int first = v.nr;

		if (in[i].end < in[i].start && !why)
			why = BIT(XEN_EXT_EMPTY);
		if (!why) {
			ret = xen_ext_push(&v, in[i].start, in[i].end, i);
			if (!ret)
				ret = xen_ext_trim(&v, first, env, &why);
			if (ret)
				goto out;
		}
		/* Align what is left inward; drop what is too small. */
		for (j = first; j < v.nr; j++) {
			struct xen_ext_piece *p = &v.p[j];
			u64 s, e;

			if (xen_ext_piece_empty(p))
				continue;
			s = round_up(p->start, env->align);
			e = round_down(p->end + 1, env->align);
			/* s == 0: p->start rounded up past U64_MAX. */
			if (!s || e <= s) {
				why |= BIT(XEN_EXT_TOO_SMALL);
				p->start = 1;
				p->end = 0;
				continue;
			}
			if (s != p->start || e != p->end + 1)
				why |= BIT(XEN_EXT_UNALIGNED);
			p->start = s;
			p->end = e - 1;
		}
		why_all[i] = why;
	}

	/* Sort all pieces and merge overlapping or adjacent ones. */
	sort(v.p, v.nr, sizeof(*v.p), xen_ext_cmp, NULL);
	ret = -ENOMEM;
	res = kcalloc(max(v.nr, 1U), sizeof(*res), GFP_KERNEL);
	if (!res)
		goto out;
	for (i = 0; i < v.nr; i++) {
		struct xen_ext_piece *p = &v.p[i];
		u64 s = p->start;

		if (xen_ext_piece_empty(p))
			continue;
		if (n && s <= res[n - 1].end) {
			why_all[p->region] |= BIT(XEN_EXT_OVERLAP);
			s = res[n - 1].end + 1;
			if (p->end < s)
				continue;
		}
		accepted[p->region] += p->end - s + 1;
		if (n && s == res[n - 1].end + 1)
			res[n - 1].end = p->end;
		else
			res[n++] = (struct range){ s, p->end };
	}

	for (i = 0; i < nr; i++)
		xen_ext_log(i, &in[i], accepted[i], why_all[i], env->align);
	*out = res;
	ret = n;
out:
	kfree(v.p);
	kfree(accepted);
	if (why_all != reasons)
		kfree(why_all);
	return ret;
}
EXPORT_SYMBOL_GPL(xen_ext_regions_validate);

#ifdef CONFIG_OF
/**
 * xen_of_ext_regions() - read the extended regions of a "xen,xen" node
 * @np: the node
 * @regions: out: the grant-table region (reg[0]) and the advertised
 *	extended regions (reg[1..N]), unchecked; kfree() regions->ranges and
 *	regions->reasons
 *
 * A region of size 0 is returned with end = start - 1 and XEN_EXT_EMPTY, one
 * that wraps or does not fit phys_addr_t with XEN_EXT_WRAPS.  A reg property
 * whose length is not a multiple of one entry is read up to its last whole
 * entry, with a warning.
 *
 * Return: 0 (also when there is no extended region), or a negative errno.
 */
int xen_of_ext_regions(const struct device_node *np,
		       struct xen_ext_regions *regions)
{
	int ac = of_n_addr_cells((struct device_node *)np);
	int sc = of_n_size_cells((struct device_node *)np);
	unsigned int i, nr, entry;
	const __be32 *reg;
	int len;

	memset(regions, 0, sizeof(*regions));
	regions->grant = (struct range){ 1, 0 };

	reg = of_get_property(np, "reg", &len);
	if (!reg)
		return 0;
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2) {
		pr_err("%pOF: #address-cells = %d, #size-cells = %d not supported: no extended regions\n",
		       np, ac, sc);
		return -EINVAL;
	}
	entry = (ac + sc) * sizeof(__be32);
	if (len % entry)
		pr_warn("%pOF: reg is %d bytes, not a multiple of %u: ignoring the last %d bytes\n",
			np, len, entry, len % entry);
	nr = len / entry;
	if (nr <= XEN_EXT_REGION_INDEX)
		goto grant;

	regions->nr = nr - XEN_EXT_REGION_INDEX;
	regions->ranges = kcalloc(regions->nr, sizeof(*regions->ranges), GFP_KERNEL);
	regions->reasons = kcalloc(regions->nr, sizeof(*regions->reasons), GFP_KERNEL);
	if (!regions->ranges || !regions->reasons) {
		kfree(regions->ranges);
		kfree(regions->reasons);
		regions->ranges = NULL;
		regions->reasons = NULL;
		regions->nr = 0;
		return -ENOMEM;
	}
	for (i = 0; i < regions->nr; i++) {
		const __be32 *cell = reg + (i + XEN_EXT_REGION_INDEX) * (ac + sc);
		u64 start = of_read_number(cell, ac);
		u64 size = of_read_number(cell + ac, sc);
		struct range *r = &regions->ranges[i];

		r->start = start;
		r->end = start + size - 1;
		if (!size)
			regions->reasons[i] = BIT(XEN_EXT_EMPTY);
		else if (r->end < start || r->end > PHYS_ADDR_MAX)
			regions->reasons[i] = BIT(XEN_EXT_WRAPS);
	}
grant:
	if (nr) {
		u64 start = of_read_number(reg, ac);
		u64 size = of_read_number(reg + ac, sc);

		if (size && start + size - 1 >= start)
			regions->grant = (struct range){ start, start + size - 1 };
	}
	return 0;
}
EXPORT_SYMBOL_GPL(xen_of_ext_regions);
#endif

/* Report a RAM, reserved or in-use range inside [start, end]. */
struct xen_ext_busy {
	struct range *busy;
	bool found;
};

static int xen_ext_iomem_busy(struct resource *res, void *arg)
{
	struct xen_ext_busy *b = arg;

	b->busy->start = res->start;
	b->busy->end = res->end;
	b->found = true;
	return 1;
}

/**
 * xen_ext_find_busy() - what the kernel uses in a physical range
 * @start: first byte
 * @end: last byte
 * @busy: out: a used range that overlaps [start, end]
 * @data: unused
 *
 * The default &xen_ext_env.find_busy: RAM and reserved memory known to
 * memblock, then any memory resource in iomem_resource.
 *
 * Return: a reason (XEN_EXT_RAM, XEN_EXT_RESERVED or XEN_EXT_IOMEM) and
 * @busy, or -1 when nothing in [start, end] is in use.
 */
int xen_ext_find_busy(u64 start, u64 end, struct range *busy, void *data)
{
	struct xen_ext_busy b = { .busy = busy };
	phys_addr_t s, e;
	u64 i;

	if (IS_ENABLED(CONFIG_ARCH_KEEP_MEMBLOCK)) {
		for_each_mem_range(i, &s, &e) {
			if (s <= end && start < e) {
				*busy = (struct range){ s, e - 1 };
				return XEN_EXT_RAM;
			}
		}
		for_each_reserved_mem_range(i, &s, &e) {
			if (s <= end && start < e) {
				*busy = (struct range){ s, e - 1 };
				return XEN_EXT_RESERVED;
			}
		}
	}
	walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_MEM, start, end, &b,
			    xen_ext_iomem_busy);
	return b.found ? XEN_EXT_IOMEM : -1;
}
