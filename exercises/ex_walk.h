/*
 * ex_walk.h - the drawn walk the two walk exercises share (ex_walk.c).
 */
#ifndef MM_EX_WALK_H
#define MM_EX_WALK_H

#include "ex_impl.h"

struct ex_walk {
	uint64_t ram;
	const char *split;
	uint64_t area;		/* the vmalloc area */
	uint64_t va;		/* the address walked */
	uint64_t cr3;
	uint64_t phys;
	const json_t *walk;	/* the translate result (borrowed) */
};

/* Boot, set up and reveal one walk; EX_REDRAW if not a full 4K walk. */
int ex_walk_draw(struct ex_ctx *c, bool pae, struct ex_walk *w);
const json_t *ex_walk_step(const struct ex_walk *w, unsigned i);
bool ex_walk_flag(const json_t *step, const char *flag);

#endif
