// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of extended-region discovery and validation, driven by the
 * device-tree blob built from ext-regions-test.dts.  Each case is a node of
 * the blob: its "xen,xen" child is read by xen_of_ext_regions(), and what
 * the kernel would find in use (RAM, reserved memory, resources) is read
 * from its other children, so that the input is all in one place.
 */
#include <kunit/test.h>
#include <linux/of.h>
#include <linux/of_fdt.h>
#include <linux/slab.h>

#include <xen/ext-regions.h>

extern u8 __dtb_ext_regions_test_begin[];

struct xen_ext_case {
	const char *name;
	const char *node;		/* NULL: the node called @name */
	u64 align;			/* 0: 2 MiB, the granule of 4 KiB pages */
	int err;			/* of xen_of_ext_regions() */
	u64 pluggable_end;		/* 0: 2^48 - 1 */
	unsigned int nr_regions;	/* advertised extended regions */
	const u32 *reasons;		/* per advertised region */
	unsigned int nr_accepted;
	const struct range *accepted;
};

#define R(s, e)		{ .start = (s), .end = (e) }
#define ACCEPTED(...)							\
	.accepted = (const struct range[]){ __VA_ARGS__ },		\
	.nr_accepted = sizeof((struct range[]){ __VA_ARGS__ }) /	\
		       sizeof(struct range)
#define REASONS(...)							\
	.reasons = (const u32[]){ __VA_ARGS__ },			\
	.nr_regions = sizeof((u32[]){ __VA_ARGS__ }) / sizeof(u32)
#define WHY(r)		BIT(XEN_EXT_##r)

static const struct xen_ext_case xen_ext_cases[] = {
	{ .name = "legacy" },
	{ .name = "one", REASONS(0), ACCEPTED(R(0x40000000, 0x7fffffff)) },
	{ .name = "dom0", REASONS(0, 0),
	  ACCEPTED(R(0x40400000, 0x5fffffff), R(0x80000000, 0xbfffffff)) },
	/* The granules of 16 and 64 KiB pages (xen_upop_granule()). */
	{ .name = "dom0-4m", .node = "dom0", .align = SZ_4M, REASONS(0, 0),
	  ACCEPTED(R(0x40400000, 0x5fffffff), R(0x80000000, 0xbfffffff)) },
	{ .name = "dom0-64m", .node = "dom0", .align = SZ_64M,
	  REASONS(WHY(UNALIGNED), 0),
	  ACCEPTED(R(0x44000000, 0x5fffffff), R(0x80000000, 0xbfffffff)) },
	{ .name = "domu", REASONS(0, 0),
	  ACCEPTED(R(0x4c000000, 0xffffffff), R(0x200000000, 0xffffffffff)) },
	{ .name = "unsorted", REASONS(0, 0, 0),
	  ACCEPTED(R(0x40000000, 0x47ffffff), R(0x80000000, 0x87ffffff),
		   R(0xc0000000, 0xc7ffffff)) },
	/* The one that starts later loses what the other covers. */
	{ .name = "overlapping", REASONS(WHY(OVERLAP), 0),
	  ACCEPTED(R(0x40000000, 0x7fffffff)) },
	{ .name = "duplicates", REASONS(0, WHY(OVERLAP)),
	  ACCEPTED(R(0x40000000, 0x47ffffff)) },
	{ .name = "adjacent", REASONS(0, 0),
	  ACCEPTED(R(0x40000000, 0x4fffffff)) },
	{ .name = "zero-size", REASONS(WHY(EMPTY), 0),
	  ACCEPTED(R(0x40000000, 0x47ffffff)) },
	{ .name = "wraps", REASONS(WHY(WRAPS), 0),
	  ACCEPTED(R(0x40000000, 0x47ffffff)) },
	{ .name = "unaligned", REASONS(WHY(UNALIGNED), WHY(TOO_SMALL)),
	  ACCEPTED(R(0x40200000, 0x5fffffff)) },
	{ .name = "grant-overlap", REASONS(WHY(GRANT)),
	  ACCEPTED(R(0x41000000, 0x4fffffff)) },
	{ .name = "busy",
	  REASONS(WHY(RAM), WHY(RESERVED) | WHY(UNALIGNED),
		  WHY(IOMEM) | WHY(UNALIGNED), WHY(RAM)),
	  ACCEPTED(R(0x60000000, 0x6fffffff), R(0x80000000, 0x83ffffff),
		   R(0x84200000, 0x8fffffff), R(0x90200000, 0x93ffffff)) },
	/* Page 0 is never used: it cannot be told from a failed allocation. */
	{ .name = "unpluggable", .pluggable_end = 0xffffffffff,
	  REASONS(WHY(UNPLUGGABLE), WHY(UNPLUGGABLE),
		  WHY(UNPLUGGABLE) | WHY(UNALIGNED)),
	  ACCEPTED(R(0x200000, 0x3ffffff), R(0xff80000000, 0xffffffffff)) },
	{ .name = "cells-1-1", REASONS(0, 0),
	  ACCEPTED(R(0x40000000, 0x4fffffff), R(0x80000000, 0xffffffff)) },
	{ .name = "cells-2-1", REASONS(0),
	  ACCEPTED(R(0x800000000, 0x83fffffff)) },
	{ .name = "cells-3-2", .err = -EINVAL },
	{ .name = "truncated", REASONS(0), ACCEPTED(R(0x40000000, 0x4fffffff)) },
};

static void xen_ext_case_desc(const struct xen_ext_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(xen_ext_dt, xen_ext_cases, xen_ext_case_desc);

static struct device_node *xen_ext_test_root;
static void *xen_ext_test_mem;

static int xen_ext_suite_init(struct kunit_suite *suite)
{
	/* The blob is linked in aligned (scripts/Makefile.lib: dt_S_dtb). */
	xen_ext_test_mem = of_fdt_unflatten_tree((unsigned long *)__dtb_ext_regions_test_begin,
						 NULL, &xen_ext_test_root);
	return xen_ext_test_mem ? 0 : -EINVAL;
}

static void xen_ext_suite_exit(struct kunit_suite *suite)
{
	kfree(xen_ext_test_mem);
}

/* Report a range of a reg property of @np overlapping [start, end]. */
static bool xen_ext_test_reg_busy(struct device_node *np, u64 start, u64 end,
				  struct range *busy)
{
	int ac = of_n_addr_cells(np), sc = of_n_size_cells(np), len, i;
	const __be32 *reg = of_get_property(np, "reg", &len);

	for (i = 0; reg && (i + 1) * (ac + sc) * 4 <= len; i++) {
		const __be32 *cell = reg + i * (ac + sc);
		u64 s = of_read_number(cell, ac);
		u64 e = s + of_read_number(cell + ac, sc) - 1;

		if (s <= end && start <= e) {
			*busy = (struct range){ s, e };
			return true;
		}
	}
	return false;
}

/* The &xen_ext_env.find_busy of a case: its nodes other than hypervisor. */
static int xen_ext_test_find_busy(u64 start, u64 end, struct range *busy,
				  void *data)
{
	struct device_node *np, *rsv, *cs = data;

	for_each_child_of_node(cs, np) {
		if (of_node_name_eq(np, "hypervisor"))
			continue;
		if (of_node_name_eq(np, "reserved-memory")) {
			for_each_child_of_node(np, rsv) {
				if (xen_ext_test_reg_busy(rsv, start, end, busy)) {
					of_node_put(rsv);
					of_node_put(np);
					return XEN_EXT_RESERVED;
				}
			}
			continue;
		}
		if (xen_ext_test_reg_busy(np, start, end, busy)) {
			bool ram = of_node_is_type(np, "memory");

			of_node_put(np);
			return ram ? XEN_EXT_RAM : XEN_EXT_IOMEM;
		}
	}
	return -1;
}

static struct device_node *xen_ext_test_node(struct kunit *test,
					     const char *name)
{
	struct device_node *np = of_get_child_by_name(xen_ext_test_root, name);

	KUNIT_ASSERT_NOT_NULL_MSG(test, np, "no node %s in the test blob", name);
	return np;
}

/* Read the case's hypervisor node, validate, compare with the table. */
static int xen_ext_test_run(struct kunit *test, struct device_node *cs,
			    u64 pluggable_end, u64 align, u32 **reasons,
			    struct range **accepted, unsigned int *nr_regions)
{
	struct device_node *hyp = of_get_child_by_name(cs, "hypervisor");
	struct xen_ext_regions adv;
	struct xen_ext_env env = {
		.pluggable	= { 0, pluggable_end ?: BIT_ULL(48) - 1 },
		.align		= align ?: SZ_2M,
		.find_busy	= xen_ext_test_find_busy,
		.data		= cs,
	};
	int ret, n;

	KUNIT_ASSERT_NOT_NULL(test, hyp);
	KUNIT_ASSERT_TRUE(test, of_device_is_compatible(hyp, "xen,xen"));
	ret = xen_of_ext_regions(hyp, &adv);
	of_node_put(hyp);
	if (ret)
		return ret;

	*nr_regions = adv.nr;
	env.grant = adv.grant;
	*reasons = kunit_kcalloc(test, max(adv.nr, 1U), sizeof(u32), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *reasons);
	n = xen_ext_regions_validate(adv.ranges, adv.nr, adv.reasons, &env,
				     *reasons, accepted);
	kfree(adv.ranges);
	kfree(adv.reasons);
	return n;
}

static void xen_ext_test_dt(struct kunit *test)
{
	const struct xen_ext_case *c = test->param_value;
	struct device_node *cs = xen_ext_test_node(test, c->node ?: c->name);
	struct range *accepted = NULL;
	unsigned int i, nr_regions = 0;
	u32 *reasons = NULL;
	int n;

	n = xen_ext_test_run(test, cs, c->pluggable_end, c->align, &reasons,
			     &accepted, &nr_regions);
	of_node_put(cs);
	if (c->err) {
		KUNIT_EXPECT_EQ(test, n, c->err);
		return;
	}
	KUNIT_ASSERT_GE(test, n, 0);
	KUNIT_EXPECT_EQ(test, nr_regions, c->nr_regions);
	for (i = 0; i < min(nr_regions, c->nr_regions); i++)
		KUNIT_EXPECT_EQ_MSG(test, reasons[i], c->reasons[i],
				    "reasons of region %u", i + 1);
	KUNIT_EXPECT_EQ(test, n, c->nr_accepted);
	for (i = 0; i < min_t(unsigned int, n, c->nr_accepted); i++) {
		KUNIT_EXPECT_EQ_MSG(test, accepted[i].start, c->accepted[i].start,
				    "start of range %u", i);
		KUNIT_EXPECT_EQ_MSG(test, accepted[i].end, c->accepted[i].end,
				    "end of range %u", i);
	}
	kfree(accepted);
}

/* More regions than Xen ever writes (256): all read, none lost. */
static void xen_ext_test_many(struct kunit *test)
{
	struct device_node *cs = xen_ext_test_node(test, "many");
	struct range *accepted = NULL;
	unsigned int i, bad = 0, nr_regions = 0;
	u32 *reasons = NULL;
	int n;

	n = xen_ext_test_run(test, cs, 0, 0, &reasons, &accepted, &nr_regions);
	of_node_put(cs);
	KUNIT_EXPECT_EQ(test, nr_regions, 300);
	KUNIT_ASSERT_EQ(test, n, 300);
	for (i = 0; i < 300; i++) {
		u64 start = (0x10ULL + i) << 32;

		bad += accepted[i].start != start ||
		       accepted[i].end != start + SZ_64M - 1 || reasons[i];
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	kfree(accepted);
}

/* find_busy reporting a range outside what it was asked must not loop. */
static int xen_ext_test_lying_busy(u64 start, u64 end, struct range *busy,
				   void *data)
{
	*busy = (struct range){ end + 1, end + SZ_4K };
	return XEN_EXT_IOMEM;
}

static int xen_ext_test_nothing_busy(u64 start, u64 end, struct range *busy,
				     void *data)
{
	return -1;
}

static void xen_ext_test_bad_env(struct kunit *test)
{
	struct range in = R(0x40000000, 0x4fffffff), *out;
	struct xen_ext_env env = {
		.grant		= { 1, 0 },
		.pluggable	= { 0, U64_MAX },
		.align		= SZ_2M,
		.find_busy	= xen_ext_test_lying_busy,
	};

	KUNIT_EXPECT_EQ(test, xen_ext_regions_validate(&in, 1, NULL, &env, NULL, &out),
			-EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, out, NULL);

	/* A granule that is not a power of two cannot align anything. */
	env.find_busy = xen_ext_test_nothing_busy;
	env.align = SZ_2M + SZ_4K;
	KUNIT_EXPECT_EQ(test, xen_ext_regions_validate(&in, 1, NULL, &env, NULL, &out),
			-EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, out, NULL);
}

static struct kunit_case xen_ext_test_cases[] = {
	KUNIT_CASE_PARAM(xen_ext_test_dt, xen_ext_dt_gen_params),
	KUNIT_CASE(xen_ext_test_many),
	KUNIT_CASE(xen_ext_test_bad_env),
	{}
};

static struct kunit_suite xen_ext_test_suite = {
	.name = "xen_ext_regions",
	.suite_init = xen_ext_suite_init,
	.suite_exit = xen_ext_suite_exit,
	.test_cases = xen_ext_test_cases,
};

kunit_test_suite(xen_ext_test_suite);

MODULE_DESCRIPTION("KUnit tests of Xen extended-region discovery");
MODULE_LICENSE("GPL");
