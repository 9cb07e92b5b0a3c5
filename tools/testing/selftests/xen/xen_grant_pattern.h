/* SPDX-License-Identifier: GPL-2.0 */
/* The data a granting and a mapping domain exchange in the grant tests. */
#ifndef XEN_GRANT_PATTERN_H
#define XEN_GRANT_PATTERN_H

#include <stdbool.h>

#define GRANT_PAGE	4096UL
#define GRANT_PATTERN	64	/* bytes checked at the start of each page */

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
