// SPDX-License-Identifier: GPL-2.0
/*
 * vmemmap_subpage: memremap_pages() of subsections whose struct pages
 * share vmemmap pages, as they do with 16K and 64K pages (a subsection's
 * memmap is half, or a 32nd, of a page).  The bench's gate on the two
 * mm/sparse-vmemmap fixes of the series loads it once per mode:
 *
 *   mode=populate  one range of two subsections whose memmap starts
 *                  further into a vmemmap page than it ends in the next:
 *                  unfixed, the second page is never populated and
 *                  memremap_pages() faults initialising its struct pages.
 *   mode=share     two neighbouring subsections in one vmemmap page, one
 *                  unmapped, then the other, in both orders: unfixed, the
 *                  first unmap frees the page under the neighbour, which
 *                  faults when it is unmapped in turn.
 *
 * Each mode also reads the page tables' truth: a vmemmap page is mapped
 * while one of its subsections is present and unmapped (freed) after the
 * last.  The verdict is one line, "vmemmap_subpage: PASS|FAIL|SKIP MODE ...".
 */
#include <linux/ioport.h>
#include <linux/memory_hotplug.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/version.h>

/* Before 6.14 (the 6.12 and 6.1 backports), a ZONE_DEVICE page's pgmap. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 14, 0)
#define page_pgmap(page)	((page)->pgmap)
#endif

static char *mode = "share";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "populate or share");

#define SUB_SIZE	((u64)PAGES_PER_SUBSECTION << PAGE_SHIFT)
/* Subsections whose struct pages fill one vmemmap page. */
#define PER_PAGE	(PAGE_SIZE / (PAGES_PER_SUBSECTION * sizeof(struct page)))

static struct dev_pagemap maps[2];

static unsigned long memmap_page(u64 phys)
{
	return ALIGN_DOWN((unsigned long)pfn_to_page(PHYS_PFN(phys)), PAGE_SIZE);
}

static bool mapped(unsigned long addr)
{
	char c;

	return !copy_from_kernel_nofault(&c, (void *)addr, 1);
}

static int map(int i, u64 start, u64 size)
{
	memset(&maps[i], 0, sizeof(maps[i]));
	maps[i].type = MEMORY_DEVICE_GENERIC;
	maps[i].range = (struct range) { .start = start, .end = start + size - 1 };
	maps[i].nr_range = 1;
	return PTR_ERR_OR_ZERO(memremap_pages(&maps[i], NUMA_NO_NODE));
}

/* Free guest-physical space the kernel could hot-plug, from the top down. */
static struct resource *claim(u64 size)
{
	struct range r = mhp_get_pluggable_range(true);
	u64 a;

	for (a = ALIGN_DOWN(r.end + 1 - size, size); a >= r.start && a >= size; a -= size)
		if (region_intersects(a, size, 0, IORES_DESC_NONE) == REGION_DISJOINT)
			return request_mem_region(a, size, "vmemmap_subpage");
	return NULL;
}

#define fail(fmt, ...) ({ pr_info("vmemmap_subpage: FAIL %s " fmt "\n", mode, ##__VA_ARGS__); -EIO; })

static int test_populate(u64 x)
{
	u64 start = x + (PER_PAGE - 1) * SUB_SIZE;
	unsigned long p = memmap_page(start);
	int err;

	pr_info("vmemmap_subpage: mapping [%#llx-%#llx], memmap %#lx-%#lx\n",
		start, start + 2 * SUB_SIZE - 1,
		(unsigned long)pfn_to_page(PHYS_PFN(start)),
		(unsigned long)pfn_to_page(PHYS_PFN(start + 2 * SUB_SIZE)));
	err = map(0, start, 2 * SUB_SIZE);
	if (err)
		return fail("memremap_pages: %d", err);
	if (!mapped(p) || !mapped(p + PAGE_SIZE))
		err = fail("a vmemmap page of the range is not mapped");
	memunmap_pages(&maps[0]);
	if (!err && (mapped(p) || mapped(p + PAGE_SIZE)))
		err = fail("a vmemmap page is still mapped after the unmap");
	return err;
}

static int test_share(u64 x)
{
	unsigned long p = memmap_page(x);
	int first, err;

	for (first = 0; first < 2; first++) {
		err = map(0, x, SUB_SIZE);
		if (err)
			return fail("memremap_pages: %d", err);
		err = map(1, x + SUB_SIZE, SUB_SIZE);
		if (err) {
			memunmap_pages(&maps[0]);
			return fail("memremap_pages: %d", err);
		}
		pr_info("vmemmap_subpage: [%#llx-%#llx] and the next subsection share %#lx; unmapping %s first\n",
			x, x + SUB_SIZE - 1, p, first ? "the second one" : "the first one");
		memunmap_pages(&maps[first]);
		if (!mapped(p))
			err = fail("vmemmap page %#lx unmapped while its neighbour is present", p);
		else if (page_pgmap(pfn_to_page(PHYS_PFN(maps[!first].range.start))) != &maps[!first])
			err = fail("the neighbour's struct pages changed under it");
		/* Unfixed, this faults on the neighbour's struct pages. */
		memunmap_pages(&maps[!first]);
		if (err)
			return err;
		if (mapped(p))
			return fail("vmemmap page %#lx still mapped after its last subsection went", p);
	}
	return 0;
}

static int __init vmemmap_subpage_init(void)
{
	struct resource *res;
	u64 size = 2 * PER_PAGE * SUB_SIZE;
	int err;

	if (PAGE_SIZE % (PAGES_PER_SUBSECTION * sizeof(struct page))) {
		fail("a struct page of %zu bytes: subsections straddle vmemmap pages",
		     sizeof(struct page));
		return 0;
	}
	if (PER_PAGE < 2) {
		pr_info("vmemmap_subpage: SKIP %s a subsection's memmap is whole pages\n", mode);
		return 0;
	}
	res = claim(size);
	if (!res) {
		fail("no free space of %llu MiB to hot-plug", size >> 20);
		return 0;
	}
	if (!strcmp(mode, "populate"))
		err = test_populate(res->start);
	else
		err = test_share(res->start);
	release_mem_region(res->start, size);
	if (!err)
		pr_info("vmemmap_subpage: PASS %s %lu subsections per vmemmap page\n",
			mode, PER_PAGE);
	return 0;
}
module_init(vmemmap_subpage_init);

static void __exit vmemmap_subpage_exit(void)
{
}
module_exit(vmemmap_subpage_exit);

MODULE_DESCRIPTION("Hot-plug subsections that share vmemmap pages");
MODULE_LICENSE("GPL");
