// SPDX-License-Identifier: GPL-2.0
/*
 * Measures xen_alloc_unpopulated_pages() from inside the kernel, where
 * grant-map limits of gntdev do not apply.  The same source builds against
 * the base and the patched kernel, so that both are measured alike.
 *
 * Write a command to /sys/kernel/debug/xen_upop_bench/run, read the result:
 *   alloc N            allocate N pages and hold them
 *   free               free every page held
 *   steady BATCH ITERS ITERS times: allocate BATCH pages, free them
 *   churn BATCH ITERS  the same with 10 ms between a free and the next
 *                      allocation, as a backend's mappings come and go:
 *                      the allocations that took the guest's RAM
 *                      (totalram_pages() fell, decrease_reservation())
 *                      and the time all took
 *   cost [1]           RAM (NR_FREE_PAGES) spent by allocating one page,
 *                      and still spent 1.5 s after freeing it, measured
 *                      within the call so that no process comes between;
 *                      with 1, the page is kept (until "free")
 *   ram                RAM free (NR_FREE_PAGES and per-CPU lists), in kB
 *   threads N BATCH ITERS
 *                      N kernel threads at once, each ITERS times: allocate
 *                      BATCH pages, free them; the wall time of all
 *   capacity STEP MAX  allocate STEP pages at a time until an allocation
 *                      fails, a page comes from RAM (the balloon) or MAX
 *                      pages are held; hold them
 *   stall N MS         allocate and free N pages, so that their chunks
 *                      fall idle, then for MS ms allocate and free one
 *                      page at a time, each timed: the longest wait while
 *                      the allocator gives the idle chunks back
 * Pages that are ZONE_DEVICE came from unpopulated space, the others from
 * the balloon: the struct page itself tells, not the allocator.
 */
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>

#include <xen/xen.h>

struct held {
	struct list_head node;
	unsigned int nr;
	struct page *pages[];
};

static LIST_HEAD(held_list);
static DEFINE_MUTEX(bench_lock);
static char result[256];
static struct dentry *dir;

static int hold(unsigned int nr, unsigned long *device, unsigned long *ram)
{
	struct held *h = kvzalloc(struct_size(h, pages, nr), GFP_KERNEL);
	unsigned int i;
	int ret;

	if (!h)
		return -ENOMEM;
	ret = xen_alloc_unpopulated_pages(nr, h->pages);
	if (ret) {
		kvfree(h);
		return ret;
	}
	h->nr = nr;
	list_add_tail(&h->node, &held_list);
	for (i = 0; i < nr; i++) {
		if (is_zone_device_page(h->pages[i]))
			(*device)++;
		else
			(*ram)++;
	}
	return 0;
}

static unsigned long free_all(void)
{
	struct held *h, *tmp;
	unsigned long n = 0;

	list_for_each_entry_safe(h, tmp, &held_list, node) {
		xen_free_unpopulated_pages(h->nr, h->pages);
		n += h->nr;
		list_del(&h->node);
		kvfree(h);
	}
	return n;
}

static int run_steady(unsigned int batch, unsigned int iters)
{
	struct page **pages = kvcalloc(batch, sizeof(*pages), GFP_KERNEL);
	unsigned int i;
	ktime_t t0;
	int ret = 0;

	if (!pages)
		return -ENOMEM;
	t0 = ktime_get();
	for (i = 0; i < iters && !ret; i++) {
		ret = xen_alloc_unpopulated_pages(batch, pages);
		if (!ret)
			xen_free_unpopulated_pages(batch, pages);
	}
	scnprintf(result, sizeof(result), "%s steady batch=%u iters=%u ns=%lld\n",
		  ret ? "err" : "ok", batch, i, ktime_to_ns(ktime_sub(ktime_get(), t0)));
	kvfree(pages);
	return ret;
}

static int run_churn(unsigned int batch, unsigned int iters)
{
	struct page **pages = kvcalloc(batch, sizeof(*pages), GFP_KERNEL);
	unsigned long from_ram = 0, t;
	ktime_t t0 = ktime_get();
	unsigned int i;
	int ret = 0;

	if (!pages)
		return -ENOMEM;
	for (i = 0; i < iters && !ret; i++) {
		t = totalram_pages();
		ret = xen_alloc_unpopulated_pages(batch, pages);
		if (ret)
			break;
		from_ram += totalram_pages() < t;
		xen_free_unpopulated_pages(batch, pages);
		/* Time for the balloon thread, which the free may wake. */
		msleep(10);
	}
	scnprintf(result, sizeof(result), "%s churn batch=%u iters=%u from_ram=%lu ms=%lld err=%d\n",
		  ret ? "err" : "ok", batch, i, from_ram,
		  ktime_ms_delta(ktime_get(), t0), ret);
	kvfree(pages);
	return ret;
}

struct worker {
	struct completion *go;
	struct completion done;
	unsigned int batch;
	unsigned int iters;
	int ret;
};

static int worker_fn(void *arg)
{
	struct worker *w = arg;
	struct page **pages = kvcalloc(w->batch, sizeof(*pages), GFP_KERNEL);
	unsigned int i;

	wait_for_completion(w->go);
	w->ret = pages ? 0 : -ENOMEM;
	for (i = 0; i < w->iters && !w->ret; i++) {
		w->ret = xen_alloc_unpopulated_pages(w->batch, pages);
		if (!w->ret)
			xen_free_unpopulated_pages(w->batch, pages);
	}
	kvfree(pages);
	complete(&w->done);
	return 0;
}

/* @n threads doing run_steady() at once; the wall time of all of them. */
static int run_threads(unsigned int n, unsigned int batch, unsigned int iters)
{
	DECLARE_COMPLETION_ONSTACK(go);
	struct worker *w = kcalloc(n, sizeof(*w), GFP_KERNEL);
	unsigned int i, started = 0;
	int ret = 0;
	ktime_t t0;

	if (!w)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct task_struct *t;

		w[i] = (struct worker){ .go = &go, .batch = batch, .iters = iters };
		init_completion(&w[i].done);
		t = kthread_run(worker_fn, &w[i], "upop_bench/%u", i);
		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
			break;
		}
		started++;
	}
	t0 = ktime_get();
	complete_all(&go);
	for (i = 0; i < started; i++) {
		wait_for_completion(&w[i].done);
		ret = ret ?: w[i].ret;
	}
	scnprintf(result, sizeof(result), "%s threads n=%u batch=%u iters=%u ns=%lld err=%d\n",
		  ret ? "err" : "ok", n, batch, iters,
		  ktime_to_ns(ktime_sub(ktime_get(), t0)), ret);
	kfree(w);
	return ret;
}

/*
 * Free RAM as the page allocator has it: buddy lists and per-CPU lists.
 * MemFree leaves the per-CPU lists out, and the few pages that mapping a
 * small chunk costs come and go through them.
 */
static long free_kb(void)
{
	long pages = 0;
	int z, cpu;

	for (z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &NODE_DATA(0)->node_zones[z];

		if (!populated_zone(zone))
			continue;
		/* With the per-CPU diffs that hotplug folds in as it goes. */
		pages += zone_page_state_snapshot(zone, NR_FREE_PAGES);
		for_each_online_cpu(cpu)
			pages += READ_ONCE(per_cpu_ptr(zone->per_cpu_pageset, cpu)->count);
	}
	return pages * (PAGE_SIZE / 1024);
}

static void run_cost(bool keep)
{
	unsigned long device = 0, ram = 0;
	struct page *page;
	long f0, f1, f2;
	int ret;

	if (keep) {
		rcu_barrier();
		f0 = free_kb();
		ret = hold(1, &device, &ram);
		rcu_barrier();
		f1 = free_kb();
		scnprintf(result, sizeof(result), "%s cost alloc_kb=%ld held=1 err=%d\n",
			  ret ? "err" : "ok", f0 - f1, ret);
		return;
	}

	/*
	 * Memory hotplug waits for RCU grace periods, which release whatever
	 * others freed with RCU meanwhile: flush that before each sample.
	 */
	rcu_barrier();
	f0 = free_kb();
	ret = xen_alloc_unpopulated_pages(1, &page);
	rcu_barrier();
	f1 = free_kb();
	if (!ret) {
		xen_free_unpopulated_pages(1, &page);
		/* Past the give-back delay of the allocator. */
		msleep(1500);
	}
	rcu_barrier();
	f2 = free_kb();
	scnprintf(result, sizeof(result), "%s cost alloc_kb=%ld after_kb=%ld err=%d\n",
		  ret ? "err" : "ok", f0 - f1, f0 - f2, ret);
}

/*
 * The probe's own chunk stays: freeing its page again and again keeps it
 * from falling idle.  The others are given back meanwhile (patched
 * kernel), and a probe that waits for that shows here.
 */
static int run_stall(unsigned int nr, unsigned int ms)
{
	struct page **pages = kvcalloc(nr, sizeof(*pages), GFP_KERNEL);
	unsigned long probes = 0, slow = 0;
	s64 worst = 0, d;
	ktime_t end, t;
	int ret;

	if (!pages)
		return -ENOMEM;
	ret = xen_alloc_unpopulated_pages(nr, pages);
	if (!ret)
		xen_free_unpopulated_pages(nr, pages);
	end = ktime_add_ms(ktime_get(), ms);
	while (!ret && ktime_before(t = ktime_get(), end)) {
		ret = xen_alloc_unpopulated_pages(1, pages);
		if (!ret)
			xen_free_unpopulated_pages(1, pages);
		d = ktime_to_ns(ktime_sub(ktime_get(), t));
		worst = max(worst, d);
		slow += d > NSEC_PER_MSEC;
		probes++;
		cond_resched();
	}
	scnprintf(result, sizeof(result),
		  "%s stall pages=%u ms=%u probes=%lu worst_ns=%lld over_1ms=%lu err=%d\n",
		  ret ? "err" : "ok", nr, ms, probes, worst, slow, ret);
	kvfree(pages);
	return ret;
}

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	unsigned long device = 0, ram = 0, a = 0, b = 0, c = 0;
	char cmd[64], word[16];
	bool bad = false;
	int ret = 0, n;

	if (len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	cmd[len] = 0;
	n = sscanf(cmd, "%15s %lu %lu", word, &a, &b);
	if (n < 1)
		return -EINVAL;

	mutex_lock(&bench_lock);
	if (!strcmp(word, "alloc") && n == 2 && a && a <= UINT_MAX / 2) {
		ret = hold(a, &device, &ram);
		scnprintf(result, sizeof(result), "%s alloc pages=%lu device=%lu ram=%lu err=%d\n",
			  ret ? "err" : "ok", a, device, ram, ret);
	} else if (!strcmp(word, "cost") && (n == 1 || (n == 2 && a == 1))) {
		run_cost(n == 2);
	} else if (!strcmp(word, "ram") && n == 1) {
		rcu_barrier();
		scnprintf(result, sizeof(result), "ok ram free_kb=%ld\n", free_kb());
	} else if (!strcmp(word, "free") && n == 1) {
		scnprintf(result, sizeof(result), "ok free pages=%lu\n", free_all());
	} else if (!strcmp(word, "steady") && n == 3 && a && a <= 65536 && b) {
		ret = run_steady(a, b);
	} else if (!strcmp(word, "churn") && n == 3 && a && a <= 65536 && b &&
		   b <= 10000) {
		ret = run_churn(a, b);
	} else if (!strcmp(word, "threads") && n == 3 && a && a <= 16 && b &&
		   b <= 65536 && sscanf(cmd, "%*s %*u %*u %lu", &c) == 1 && c &&
		   c <= 1000000) {
		ret = run_threads(a, b, c);
	} else if (!strcmp(word, "stall") && n == 3 && a && a <= UINT_MAX / 2 &&
		   b && b <= 60000) {
		ret = run_stall(a, b);
	} else if (!strcmp(word, "capacity") && n == 3 && a && a <= 65536) {
		while (!ret && !ram && device < b)
			ret = hold(a, &device, &ram);
		scnprintf(result, sizeof(result), "ok capacity device=%lu ram=%lu err=%d\n",
			  device, ram, ret);
	} else {
		bad = true;
	}
	mutex_unlock(&bench_lock);
	/* The outcome of a well-formed command is in the result. */
	return bad ? -EINVAL : len;
}

static ssize_t run_read(struct file *file, char __user *ubuf, size_t len,
			loff_t *ppos)
{
	return simple_read_from_buffer(ubuf, len, ppos, result, strlen(result));
}

static const struct file_operations run_fops = {
	.owner	= THIS_MODULE,
	.write	= run_write,
	.read	= run_read,
};

static int __init bench_init(void)
{
	if (!xen_domain())
		return -ENODEV;
	dir = debugfs_create_dir("xen_upop_bench", NULL);
	debugfs_create_file("run", 0600, dir, NULL, &run_fops);
	return 0;
}

static void __exit bench_exit(void)
{
	debugfs_remove_recursive(dir);
	mutex_lock(&bench_lock);
	free_all();
	mutex_unlock(&bench_lock);
}

module_init(bench_init);
module_exit(bench_exit);
MODULE_DESCRIPTION("Xen unpopulated-page allocator measurements");
MODULE_LICENSE("GPL");
