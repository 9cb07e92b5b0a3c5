/* SPDX-License-Identifier: GPL-2.0 */
/* The data a granting and a mapping domain exchange in the grant tests. */
#ifndef XEN_GRANT_PATTERN_H
#define XEN_GRANT_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>

#define GRANT_PATTERN	64	/* bytes checked at the start of each page */

/*
 * gntalloc and gntdev give each grant a page of the kernel's, and the grant
 * is the first 4 KiB of it: grants lie one kernel page apart in a mapping.
 */
static inline size_t grant_stride(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* Page @i of a grant: bytes i + j, bitwise inverted when @inverse. */
static inline void grant_pattern_fill(unsigned char *p, unsigned int i, bool inverse)
{
	unsigned int j;

	for (j = 0; j < GRANT_PATTERN; j++)
		p[j] = (unsigned char)((i + j) ^ (inverse ? 0xff : 0));
}

static inline bool grant_pattern_check(const unsigned char *p, unsigned int i,
				       bool inverse)
{
	unsigned int j;

	for (j = 0; j < GRANT_PATTERN; j++)
		if (p[j] != (unsigned char)((i + j) ^ (inverse ? 0xff : 0)))
			return false;
	return true;
}

#endif
