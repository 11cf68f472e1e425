/*
 * mm.c - processes: pgd_alloc, the default ELF layout, VMAs, mmap/munmap/
 * mprotect/brk, fork and exit.  The rules are at the top of mm.h.
 */
#include "mm.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "page_alloc.h"
#include "pgtable.h"

#define GFP_PGTABLE_USER (GFP_KERNEL_ACCOUNT | __GFP_ZERO)
#define PAGE_ALIGN32(x)	((vaddr_t)ALIGN_UP((uint64_t)(x), PAGE_SIZE))

/* --- state ------------------------------------------------------------------- */

void mm_state_init(struct mm_state *s)
{
	memset(s, 0, sizeof(*s));
	s->next_pid = 1;
	s->max_procs = MM_MAX_PROCS_DEFAULT;
	s->max_map_count = MAX_MAP_COUNT_DEFAULT;
	pfnmap_init(&s->frame_index);
}

void mm_state_free(struct mm_state *s)
{
	for (uint32_t i = 0; i < s->nr; i++)
		free(s->procs[i].vmas);
	free(s->procs);
	free(s->frames);
	pfnmap_free(&s->frame_index);
	memset(s, 0, sizeof(*s));
}

size_t mm_host_bytes(const struct mm_state *s)
{
	size_t n = s->cap * sizeof(*s->procs) +
		   s->cap_frames * sizeof(*s->frames) +
		   pfnmap_bytes(&s->frame_index);

	for (uint32_t i = 0; i < s->nr; i++)
		n += s->procs[i].cap_vmas * sizeof(struct vma);
	return n;
}

const struct process *mm_find_const(const struct machine *m, uint32_t pid)
{
	for (uint32_t i = 0; i < m->procs.nr; i++)
		if (m->procs.procs[i].pid == pid)
			return &m->procs.procs[i];
	return NULL;
}

struct process *mm_find(struct machine *m, uint32_t pid, struct mm_error *err)
{
	struct process *p = (struct process *)mm_find_const(m, pid);

	if (!p)
		mm_fail(err, MM_ENOTFOUND, "no-such-process", "pid",
			"there is no process %u (ESRCH); process_create "
			"makes one", pid);
	return p;
}

bool mm_randomize(const struct machine *m)
{
	return !m->bp.norandmaps;
}

static uint32_t task_size(const struct machine *m)
{
	return m->layout.page_offset;
}

static pfn_t zero_pfn(const struct machine *m)
{
	return PFN_DOWN(m->image->empty_zero_page);
}

/* --- frames ------------------------------------------------------------------ */

static struct uframe *uf_find(struct mm_state *s, pfn_t pfn)
{
	struct pfn_rec *r = pfnmap_get(&s->frame_index, pfn);

	return r ? &s->frames[r->owner_id] : NULL;
}

uint32_t mm_frame_mapcount(const struct machine *m, pfn_t pfn)
{
	struct uframe *f = uf_find((struct mm_state *)&m->procs, pfn);

	return f ? f->mapcount : 0;
}

static void uf_add(struct mm_state *s, pfn_t pfn, bool file, bool shmem)
{
	if (s->nr_frames == s->cap_frames) {
		s->cap_frames = s->cap_frames ? 2 * s->cap_frames : 64;
		s->frames = xrealloc(s->frames,
				     s->cap_frames * sizeof(*s->frames));
	}
	pfnmap_put(&s->frame_index, pfn)->owner_id = s->nr_frames;
	s->frames[s->nr_frames++] = (struct uframe){ pfn, 1, file, shmem };
	if (shmem)
		s->nr_shmem_pages++;
	else if (!file)
		s->nr_anon_pages++;
}

static void rss_add(struct process *p, const struct uframe *f, int d)
{
	uint32_t *c = f->shmem ? &p->rss_shmem :
		      f->file ? &p->rss_file : &p->rss_anon;
	uint32_t rss;

	*c += (uint32_t)d;
	rss = p->rss_anon + p->rss_file + p->rss_shmem;
	if (rss > p->hiwater_rss)
		p->hiwater_rss = rss;
}

/* Drop one mapping of pfn from p; the frame goes back at the last. */
static void uf_put(struct machine *m, struct process *p, pfn_t pfn)
{
	struct mm_state *s = &m->procs;
	struct uframe *f = uf_find(s, pfn);

	if (!f)
		return;
	rss_add(p, f, -1);
	if (--f->mapcount)
		return;
	if (f->shmem)
		s->nr_shmem_pages--;
	else if (!f->file)
		s->nr_anon_pages--;
	free_pages(&m->pgdat, pfn, 0, NULL);
	physmem_zero(&m->mem, pfn);
	pfnmap_del(&s->frame_index, pfn);
	*f = s->frames[--s->nr_frames];
	if (f != &s->frames[s->nr_frames])	/* the last one moved here */
		pfnmap_get(&s->frame_index, f->pfn)->owner_id =
			(uint32_t)(f - s->frames);
}

/* A zeroed frame; false on failure with the allocator's story. */
static bool take_frame(struct machine *m, gfp_t gfp, enum page_owner owner,
		       uint32_t id, pfn_t *pfn, char *why, size_t whylen)
{
	struct page_alloc_result res;
	struct mm_error e = { 0 };

	if (alloc_pages_quiet(&m->pgdat, gfp, 0, owner, id, &res, &e) || !res.ok) {
		/* a refusal here is a short argument error; the story is
		 * what ALLOC_REASON_MAX holds whole */
		const char *s = e.kind ? e.detail : res.reason;
		size_t n = strnlen(s, whylen - 1);

		memcpy(why, s, n);
		why[n] = '\0';
		return false;
	}
	*pfn = res.pfn;
	physmem_zero(&m->mem, res.pfn);
	return true;
}

/* --- page tables ------------------------------------------------------------- */

static phys_addr_t entry_pa(const struct machine *m, uint64_t e)
{
	return m->config.pae ? (e & PAE_ADDR_MASK) : (e & 0xfffff000ull);
}

/* The page directory (two-level) or PMD page (PAE) holding va's entry. */
static phys_addr_t dir_for(const struct machine *m, const struct process *p,
			   vaddr_t va, unsigned *idx)
{
	if (m->config.pae) {
		*idx = (va >> 21) & 511;
		return p->pmds[va >> 30];
	}
	*idx = va >> 22;
	return p->pgd;
}

static unsigned pte_index(const struct machine *m, vaddr_t va)
{
	return m->config.pae ? (va >> 12) & 511 : (va >> 12) & 1023;
}

/* va's PTE page in p, or 0. */
static phys_addr_t pte_table(const struct machine *m, const struct process *p,
			     vaddr_t va)
{
	unsigned idx;
	phys_addr_t dir = dir_for(m, p, va, &idx);
	uint64_t e = pt_read_entry(m, dir, idx);

	return (e & _PAGE_PRESENT) && !(e & _PAGE_PSE) ? entry_pa(m, e) : 0;
}

static bool fault_frame(struct machine *m, struct process **pp, gfp_t gfp,
			enum page_owner owner, pfn_t *pfn,
			struct fault_result *fr, char *why, size_t wl);

/* pte_alloc(): a user PTE page (HIGHPTE: from HighMem first).  In a
 * fault (fr given) the OOM killer may run, and *pp may change. */
static phys_addr_t pte_alloc(struct machine *m, struct process **pp,
			     vaddr_t va, bool *added, struct fault_result *fr,
			     char *why, size_t wl)
{
	struct process *p = *pp;
	unsigned idx;
	phys_addr_t dir, t = pte_table(m, p, va);
	gfp_t gfp = GFP_PGTABLE_USER | (MM_HIGHPTE ? __GFP_HIGHMEM : 0);
	pfn_t pfn;

	*added = false;
	if (t)
		return t;
	if (fr ? !fault_frame(m, pp, gfp, OWNER_PGTABLE, &pfn, fr, why, wl) :
		 !take_frame(m, gfp, OWNER_PGTABLE, p->pid, &pfn, why, wl))
		return 0;
	p = *pp;
	dir = dir_for(m, p, va, &idx);
	pt_write_entry(m, dir, idx, PFN_PHYS(pfn) | _PAGE_TABLE);
	p->nr_ptes++;
	m->procs.nr_pgtable_pages++;
	*added = true;
	return PFN_PHYS(pfn);
}

uint64_t mm_user_pte(const struct machine *m, const struct process *p,
		     vaddr_t va)
{
	phys_addr_t t = pte_table(m, p, va);

	return t ? pt_read_entry(m, t, pte_index(m, va)) : 0;
}

/* A PTE that holds a frame: present, or PROT_NONE (_PAGE_PROTNONE is the
 * global bit, which user PTEs never carry otherwise). */
#define _PAGE_PROTNONE _PAGE_GLOBAL
static bool pte_has_page(uint64_t e)
{
	return e & (_PAGE_PRESENT | _PAGE_PROTNONE);
}

/* Entry k of a PTE page read whole into buf (two-level: 4 bytes, PAE: 8,
 * little-endian). */
static uint64_t buf_entry(const struct machine *m, const uint8_t *buf,
			  unsigned k)
{
	unsigned size = m->config.pae ? 8 : 4;
	uint64_t v = 0;

	for (unsigned i = size; i-- > 0;)
		v = v << 8 | buf[k * size + i];
	return v;
}

/* The PTEs of one VMA that hold pfn, appended at out[*found] (while
 * below max); false once want have been found.  Each PTE page is read
 * once, whole: a search touches every populated table of the VMA. */
static bool vma_user_vas(const struct machine *m, const struct process *p,
			 const struct vma *v, pfn_t pfn, struct user_va *out,
			 unsigned max, unsigned *found, unsigned want)
{
	uint64_t va = v->start;
	uint8_t buf[PAGE_SIZE];

	while (va < v->end) {
		uint64_t next = MIN(ALIGN_UP(va + 1, m->layout.pmd_size),
				    (uint64_t)v->end);
		phys_addr_t t = pte_table(m, p, (vaddr_t)va);

		if (!t) {
			va = next;
			continue;
		}
		physmem_read(&m->mem, t, buf, PAGE_SIZE);
		for (; va < next; va += PAGE_SIZE) {
			uint64_t e = buf_entry(m, buf, pte_index(m, (vaddr_t)va));

			if (!pte_has_page(e) || entry_pa(m, e) >> PAGE_SHIFT != pfn)
				continue;
			if (*found < max)
				out[*found] = (struct user_va){ p->pid,
					(vaddr_t)va, (e & _PAGE_RW) != 0 };
			if (++*found == want)
				return false;
		}
	}
	return true;
}

/*
 * Every user address that maps pfn, across processes: the page walk run
 * backwards.  Only a frame that some PTE maps is looked for (its
 * page_mapcount, or the shared zero page), and the search stops at the
 * last of its mapcount; a PMD without a PTE page is skipped whole.
 */
unsigned mm_frame_user_vas(const struct machine *m, pfn_t pfn,
			   struct user_va *out, unsigned max)
{
	unsigned found = 0, want = pfn == zero_pfn(m) ? UINT_MAX
				   : mm_frame_mapcount(m, pfn);

	for (uint32_t i = 0; i < m->procs.nr && found < want; i++) {
		const struct process *p = &m->procs.procs[i];

		for (uint32_t k = 0; k < p->nr_vmas; k++)
			if (!vma_user_vas(m, p, &p->vmas[k], pfn, out, max,
					  &found, want))
				break;
	}
	return found;
}

/* vm_page_prot plus write: the PTE bits for a frame in vma. */
static uint64_t pte_prot(const struct machine *m, const struct vma *v,
			 bool writable)
{
	uint64_t p;

	if (!(v->flags & (VM_READ | VM_WRITE | VM_EXEC)))
		return _PAGE_PROTNONE | _PAGE_ACCESSED;
	p = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
	if (writable)
		p |= _PAGE_RW | _PAGE_DIRTY;
	if (m->config.pae && !(v->flags & VM_EXEC))
		p |= _PAGE_NX;
	return p;
}

/* --- VMAs -------------------------------------------------------------------- */

static struct vma *find_vma(struct process *p, vaddr_t va)
{
	for (uint32_t i = 0; i < p->nr_vmas; i++)
		if (va >= p->vmas[i].start && va < p->vmas[i].end)
			return &p->vmas[i];
	return NULL;
}

static void vma_insert(struct process *p, const struct vma *v)
{
	uint32_t i = 0;

	if (p->nr_vmas == p->cap_vmas) {
		p->cap_vmas = p->cap_vmas ? 2 * p->cap_vmas : 16;
		p->vmas = xrealloc(p->vmas, p->cap_vmas * sizeof(*p->vmas));
	}
	while (i < p->nr_vmas && p->vmas[i].start < v->start)
		i++;
	memmove(&p->vmas[i + 1], &p->vmas[i],
		(p->nr_vmas - i) * sizeof(*p->vmas));
	p->vmas[i] = *v;
	p->nr_vmas++;
}

static void vma_remove(struct process *p, uint32_t i)
{
	memmove(&p->vmas[i], &p->vmas[i + 1],
		(p->nr_vmas - i - 1) * sizeof(*p->vmas));
	p->nr_vmas--;
}

/* vma_merge() for neighbours of equal flags: anonymous ones, and file
 * ones whose file offsets follow on. */
static void vma_merge_all(struct process *p)
{
	for (uint32_t i = 0; i + 1 < p->nr_vmas;) {
		struct vma *a = &p->vmas[i], *b = &p->vmas[i + 1];

		if (a->end == b->start && a->flags == b->flags &&
		    a->kind == b->kind &&
		    (a->kind == VMA_ANON || a->kind == VMA_HEAP ||
		     (a->kind == VMA_FILE && a->pgoff +
		      ((a->end - a->start) >> PAGE_SHIFT) == b->pgoff))) {
			a->end = b->end;
			vma_remove(p, i + 1);
			continue;
		}
		i++;
	}
}

static uint32_t total_vm(const struct process *p)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < p->nr_vmas; i++)
		n += (p->vmas[i].end - p->vmas[i].start) >> PAGE_SHIFT;
	return n;
}

static void update_hiwater_vm(struct process *p)
{
	uint32_t t = total_vm(p);

	if (t > p->hiwater_vm)
		p->hiwater_vm = t;
}

/* Unmap the PTEs of [start, end) (zap_page_range). */
static void zap_range(struct machine *m, struct process *p, vaddr_t start,
		      vaddr_t end)
{
	uint64_t va = start;

	while (va < end) {
		phys_addr_t t = pte_table(m, p, (vaddr_t)va);
		uint64_t next = ALIGN_DOWN(va, m->layout.pmd_size) +
				m->layout.pmd_size;

		if (!t) {
			va = next;
			continue;
		}
		for (; va < next && va < end; va += PAGE_SIZE) {
			unsigned i = pte_index(m, (vaddr_t)va);
			uint64_t e = pt_read_entry(m, t, i);
			pfn_t pfn = PFN_DOWN(entry_pa(m, e));

			if (!pte_has_page(e))
				continue;
			pt_write_entry(m, t, i, 0);
			if (pfn != zero_pfn(m))
				uf_put(m, p, pfn);
		}
	}
}

/* free_pgtables(): PTE pages of [start, end) that no VMA needs any more. */
static void free_pgtables(struct machine *m, struct process *p, vaddr_t start,
			  vaddr_t end)
{
	uint32_t size = m->layout.pmd_size;

	for (uint64_t s = ALIGN_DOWN((uint64_t)start, size); s < end; s += size) {
		unsigned idx;
		phys_addr_t dir, t;
		bool used = false;

		for (uint32_t i = 0; i < p->nr_vmas && !used; i++)
			used = p->vmas[i].start < s + size && p->vmas[i].end > s;
		if (used || !(t = pte_table(m, p, (vaddr_t)s)))
			continue;
		dir = dir_for(m, p, (vaddr_t)s, &idx);
		pt_write_entry(m, dir, idx, 0);
		free_pages(&m->pgdat, PFN_DOWN(t), 0, NULL);
		physmem_zero(&m->mem, PFN_DOWN(t));
		p->nr_ptes--;
		m->procs.nr_pgtable_pages--;
	}
}

static int einval(struct mm_error *err, const char *field, const char *msg)
{
	return mm_fail(err, MM_EINVAL, "EINVAL", field, "EINVAL: %s", msg);
}

static int enomem(struct mm_error *err, const char *field, const char *msg)
{
	return mm_fail(err, MM_EIMPOSSIBLE, "ENOMEM", field, "ENOMEM: %s", msg);
}

/* do_vmi_munmap(): split the VMAs at the edges, drop what is inside. */
static int do_munmap(struct machine *m, struct process *p, vaddr_t start,
		     vaddr_t end, struct mm_error *err)
{
	uint32_t splits = 0;

	for (uint32_t i = 0; i < p->nr_vmas; i++) {
		const struct vma *v = &p->vmas[i];

		if (v->start < start && v->end > end)
			splits++;	/* one VMA becomes two */
	}
	if (splits && p->nr_vmas >= m->procs.max_map_count)
		return enomem(err, "addr", "unmapping the middle of a VMA "
			      "would split it, and the process already has "
			      "max_map_count VMAs");
	zap_range(m, p, start, end);
	for (uint32_t i = 0; i < p->nr_vmas;) {
		struct vma v = p->vmas[i];

		if (v.end <= start || v.start >= end) {
			i++;
			continue;
		}
		vma_remove(p, i);
		if (v.start < start) {
			struct vma l = v;

			l.end = start;
			vma_insert(p, &l);
			i++;
		}
		if (v.end > end) {
			struct vma r = v;

			r.pgoff += (end - v.start) >> PAGE_SHIFT;
			r.start = end;
			vma_insert(p, &r);
			i++;
		}
	}
	free_pgtables(m, p, start, end);
	return MM_OK;
}

/* --- pgd_alloc / pgd_free ------------------------------------------------------ */

static unsigned kernel_pgd_boundary(const struct machine *m)
{
	return m->config.pae ? m->layout.page_offset >> 30
			     : m->layout.page_offset >> 22;
}

static void copy_page(struct machine *m, phys_addr_t to, phys_addr_t from)
{
	uint8_t buf[PAGE_SIZE];

	physmem_read(&m->mem, from, buf, PAGE_SIZE);
	physmem_write(&m->mem, to, buf, PAGE_SIZE);
}

static void free_pt_page(struct machine *m, phys_addr_t pa, unsigned order)
{
	free_pages(&m->pgdat, PFN_DOWN(pa), order, NULL);
	for (unsigned i = 0; i < (1u << order); i++)
		physmem_zero(&m->mem, PFN_DOWN(pa) + i);
}

static void pgd_free(struct machine *m, struct process *p)
{
	for (unsigned i = 0; i < 4; i++) {
		if (p->pmds[i]) {
			free_pt_page(m, p->pmds[i], 0);
			p->nr_pmds--;
			m->procs.nr_pgtable_pages--;
		}
		if (p->user_pmds[i]) {
			free_pt_page(m, p->user_pmds[i], 0);
			p->nr_pmds--;
			m->procs.nr_pgtable_pages--;
		}
		p->pmds[i] = p->user_pmds[i] = 0;
	}
	if (p->pgd)
		free_pt_page(m, p->pgd, m->config.pae ? 1 : 0);
	p->pgd = 0;
}

static int pgd_alloc(struct machine *m, struct process *p,
		     struct mm_error *err)
{
	unsigned b = kernel_pgd_boundary(m);
	struct page_alloc_result res;
	char why[ALLOC_REASON_MAX];
	pfn_t pfn;

	/* PTI: PGD_ALLOCATION_ORDER 1 (kernel and user halves) */
	if (alloc_pages_quiet(&m->pgdat, GFP_PGTABLE_USER, m->config.pae ? 1 : 0,
			OWNER_PGTABLE, p->pid, &res, err))
		return err->kind;
	if (!res.ok)
		return enomem(err, "", res.reason);
	p->pgd = PFN_PHYS(res.pfn);
	physmem_zero(&m->mem, res.pfn);
	if (!m->config.pae) {
		/* clone_pgd_range(pgd + KERNEL_PGD_BOUNDARY, swapper...) */
		for (unsigned i = b; i < 1024; i++)
			pt_write_entry(m, p->pgd, i,
				       pt_read_entry(m, m->swapper_pg_dir, i));
		return MM_OK;
	}
	physmem_zero(&m->mem, res.pfn + 1);
	for (unsigned i = 0; i < 4; i++) {
		phys_addr_t user_pgd = p->pgd + PAGE_SIZE;

		if (!take_frame(m, GFP_PGTABLE_USER, OWNER_PGTABLE, p->pid,
				&pfn, why, sizeof(why)))
			goto nomem;
		p->pmds[i] = PFN_PHYS(pfn);
		p->nr_pmds++;
		m->procs.nr_pgtable_pages++;
		if (i >= b)	/* the kernel PMDs are copies of swapper's */
			copy_page(m, p->pmds[i], entry_pa(m,
				  pt_read_entry(m, m->swapper_pg_dir, i)));
		pt_write_entry(m, p->pgd, i, p->pmds[i] | _PAGE_PRESENT);
		if (i < b) {
			pt_write_entry(m, user_pgd, i,
				       p->pmds[i] | _PAGE_PRESENT);
			continue;
		}
		if (!take_frame(m, GFP_PGTABLE_USER, OWNER_PGTABLE, p->pid,
				&pfn, why, sizeof(why)))
			goto nomem;
		p->user_pmds[i] = PFN_PHYS(pfn);
		p->nr_pmds++;
		m->procs.nr_pgtable_pages++;
		pt_write_entry(m, user_pgd, i, p->user_pmds[i] | _PAGE_PRESENT);
	}
	return MM_OK;
nomem:
	pgd_free(m, p);
	return enomem(err, "", why);
}

/* --- create, exit ---------------------------------------------------------------- */

/* get_random_long() for a process: splitmix64 over (seed, pid, draw). */
struct rnd { uint64_t s; };

static uint32_t rnd_next(struct rnd *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 16);
}

static struct process *new_proc(struct machine *m, struct mm_error *err)
{
	struct mm_state *s = &m->procs;
	struct process *p;

	if (s->nr >= s->max_procs) {
		mm_fail(err, MM_EIMPOSSIBLE, "EAGAIN", "pid",
			"EAGAIN: the machine already runs %u processes, the "
			"model's limit", s->max_procs);
		return NULL;
	}
	if (s->nr == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->procs = xrealloc(s->procs, s->cap * sizeof(*s->procs));
	}
	p = &s->procs[s->nr];
	memset(p, 0, sizeof(*p));
	p->pid = s->next_pid;
	/* a program the kernel spawned leads its own group and session;
	 * fork overwrites all three */
	p->pgid = p->sid = p->pid;
	strcpy(p->comm, "busybox");
	if (pgd_alloc(m, p, err))
		return NULL;
	s->nr++;
	s->next_pid++;
	return p;
}

/* forget_original_parent(): the children of a process that goes get
 * init as their parent (or none, when init itself is gone). */
static void reparent_children(struct mm_state *s, uint32_t pid)
{
	bool init_lives = false;

	for (uint32_t i = 0; i < s->nr; i++)
		init_lives |= s->procs[i].pid == 1 && pid != 1;
	for (uint32_t i = 0; i < s->nr; i++)
		if (s->procs[i].ppid == pid)
			s->procs[i].ppid = init_lives ? 1 : 0;
}

static void remove_proc(struct machine *m, struct process *p)
{
	struct mm_state *s = &m->procs;
	uint32_t i = (uint32_t)(p - s->procs);

	reparent_children(s, p->pid);
	free(p->vmas);
	memmove(&s->procs[i], &s->procs[i + 1],
		(s->nr - i - 1) * sizeof(*s->procs));
	s->nr--;
}

int process_create(struct machine *m, uint32_t *pid, struct mm_error *err)
{
	struct process *p = new_proc(m, err);
	uint32_t ts = task_size(m), gap, rnd = 0, stack_rnd = 0, align = 0;
	uint32_t brk_rnd = 0;
	uint64_t g;
	vaddr_t top;
	struct rnd r;
	struct vma v;

	if (!p)
		return err->kind;
	r.s = m->config.seed * 0x100000001b3ull ^ p->pid;
	if (mm_randomize(m)) {
		/* in load_elf_binary()'s order: arch_pick_mmap_layout,
		 * randomize_stack_top, arch_align_stack, arch_randomize_brk */
		rnd = (rnd_next(&r) & ((1u << MMAP_RND_BITS) - 1)) << PAGE_SHIFT;
		stack_rnd = (rnd_next(&r) & STACK_RND_MASK) << PAGE_SHIFT;
		align = rnd_next(&r) % 8192;
		brk_rnd = (rnd_next(&r) % (uint32_t)(0x2000000u >> PAGE_SHIFT))
			  << PAGE_SHIFT;
	}
	/* mmap_base(): gap = rlimit + guard gap + max stack randomisation,
	 * clamped to [128 MiB, TASK_SIZE/6*5] */
	g = (8u << 20) + STACK_GUARD_GAP + (STACK_RND_MASK << PAGE_SHIFT);
	if (g < (128u << 20))
		g = 128u << 20;
	if (g > ts / 6 * 5)
		g = ts / 6 * 5;
	gap = (uint32_t)g;
	p->mmap_base = PAGE_ALIGN32(ts - gap - rnd);

	/* the ELF: text, data (file), bss (anonymous) */
	v = (struct vma){ ELF_TEXT_START, ELF_TEXT_START + PAGE_SIZE,
			  VM_READ | VM_EXEC, VMA_FILE, 0 };
	vma_insert(p, &v);
	v = (struct vma){ v.end, v.end + PAGE_SIZE, VM_READ | VM_WRITE,
			  VMA_FILE, 1 };
	vma_insert(p, &v);
	p->start_code = ELF_TEXT_START;
	p->end_code = ELF_TEXT_START + PAGE_SIZE;
	p->start_data = v.start;
	p->end_data = v.end;
	v = (struct vma){ v.end, v.end + PAGE_SIZE, VM_READ | VM_WRITE,
			  VMA_ANON, 0 };
	vma_insert(p, &v);
	p->start_brk = p->brk = v.end + brk_rnd;

	/* the stack: STACK_TOP less the random offset, then
	 * arch_align_stack; setup_arg_pages leaves one page of arguments
	 * and expands 128 KiB below it */
	top = ts - stack_rnd;
	top = PAGE_ALIGN32((top - align) & ~0xfu);
	p->start_stack = top - 0x1000 + 0xe90;	/* in the argument page */
	v = (struct vma){ top - 0x21000, top,
			  VM_READ | VM_WRITE | VM_GROWSDOWN, VMA_STACK, 0 };
	vma_insert(p, &v);
	update_hiwater_vm(p);
	*pid = p->pid;
	return MM_OK;
}

static void mm_teardown(struct machine *m, struct process *p)
{
	for (uint32_t i = 0; i < p->nr_vmas; i++)
		zap_range(m, p, p->vmas[i].start, p->vmas[i].end);
	p->nr_vmas = 0;
	free_pgtables(m, p, 0, task_size(m));
	pgd_free(m, p);
}

int process_exit(struct machine *m, uint32_t pid, struct mm_error *err)
{
	struct process *p = mm_find(m, pid, err);

	if (!p)
		return err->kind;
	mm_teardown(m, p);
	remove_proc(m, p);
	return MM_OK;
}

/* --- fork ------------------------------------------------------------------------ */

int process_fork(struct machine *m, uint32_t parent, uint32_t *child,
		 struct mm_error *err)
{
	struct process *p = mm_find(m, parent, err), *c;
	uint32_t ppid;
	char why[ALLOC_REASON_MAX];

	if (!p)
		return err->kind;
	ppid = (uint32_t)(p - m->procs.procs);
	if (!(c = new_proc(m, err)))
		return err->kind;
	p = &m->procs.procs[ppid];	/* new_proc may move the array */
	{
		uint32_t pid = c->pid;
		phys_addr_t pgd = c->pgd;
		phys_addr_t pmds[4], upmds[4];
		uint32_t nr_pmds = c->nr_pmds;

		memcpy(pmds, c->pmds, sizeof(pmds));
		memcpy(upmds, c->user_pmds, sizeof(upmds));
		*c = *p;
		c->pid = pid;
		c->ppid = p->pid;
		c->pgd = pgd;
		memcpy(c->pmds, pmds, sizeof(pmds));
		memcpy(c->user_pmds, upmds, sizeof(upmds));
		c->nr_pmds = nr_pmds;
		c->nr_ptes = 0;
		c->rss_anon = c->rss_file = c->rss_shmem = 0;
		c->hiwater_rss = 0;
		c->vmas = xmalloc(p->cap_vmas * sizeof(*p->vmas));
		memcpy(c->vmas, p->vmas, p->nr_vmas * sizeof(*p->vmas));
		/* dup_mm(): the child's peak is its own size, not the
		 * parent's peak */
		c->hiwater_vm = total_vm(c);
	}
	/* copy_page_range(): private frames write-protected in both */
	for (uint32_t i = 0; i < p->nr_vmas; i++) {
		const struct vma *v = &p->vmas[i];
		uint64_t va = v->start;

		while (va < v->end) {
			phys_addr_t pt = pte_table(m, p, (vaddr_t)va), ct;
			uint64_t next = ALIGN_DOWN(va, m->layout.pmd_size) +
					m->layout.pmd_size;
			bool added;

			if (!pt) {
				va = next;
				continue;
			}
			for (; va < next && va < v->end; va += PAGE_SIZE) {
				unsigned k = pte_index(m, (vaddr_t)va);
				uint64_t e = pt_read_entry(m, pt, k);
				pfn_t pfn = PFN_DOWN(entry_pa(m, e));
				struct uframe *f;

				if (!pte_has_page(e))
					continue;
				if (!(ct = pte_alloc(m, &c, (vaddr_t)va, &added,
						     NULL, why, sizeof(why)))) {
					mm_teardown(m, c);
					remove_proc(m, c);
					return enomem(err, "pid", why);
				}
				if (pfn != zero_pfn(m) && !(v->flags & VM_SHARED)) {
					e &= ~_PAGE_RW;
					pt_write_entry(m, pt, k, e);
				}
				pt_write_entry(m, ct, k, e);
				if (pfn != zero_pfn(m) &&
				    (f = uf_find(&m->procs, pfn))) {
					f->mapcount++;
					rss_add(c, f, 1);
				}
			}
		}
	}
	*child = c->pid;
	return MM_OK;
}

/* --- mmap, munmap, mprotect, brk ------------------------------------------------ */

static vaddr_t vm_start_gap(const struct vma *v)
{
	if ((v->flags & VM_GROWSDOWN) && v->start > STACK_GUARD_GAP)
		return v->start - STACK_GUARD_GAP;
	return (v->flags & VM_GROWSDOWN) ? 0 : v->start;
}

/* unmapped_area_topdown() / unmapped_area(): 0 when nothing fits. */
static vaddr_t find_gap(const struct process *p, uint32_t len, uint64_t low,
			uint64_t high, bool topdown)
{
	for (uint32_t k = 0; k <= p->nr_vmas; k++) {
		uint32_t i = topdown ? p->nr_vmas - k : k;
		uint64_t gs = i ? p->vmas[i - 1].end : 0;
		uint64_t ge = i < p->nr_vmas ? vm_start_gap(&p->vmas[i]) : SZ_4G;

		if (gs < low)
			gs = low;
		if (ge > high)
			ge = high;
		if (ge > gs && ge - gs >= len)
			return (vaddr_t)(topdown ? ge - len : gs);
	}
	return 0;
}

static bool range_free(const struct process *p, uint64_t a, uint64_t end)
{
	for (uint32_t i = 0; i < p->nr_vmas; i++) {
		const struct vma *v = &p->vmas[i];

		if (v->end > a && vm_start_gap(v) < end)
			return false;
	}
	return true;
}

static uint32_t prot_flags(uint32_t prot)
{
	return (prot & PROT_READ ? VM_READ : 0) |
	       (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

int sys_mmap(struct machine *m, uint32_t pid, vaddr_t addr, uint64_t len,
	     uint32_t prot, uint32_t flags, vaddr_t *out, struct mm_error *err)
{
	struct process *p = mm_find(m, pid, err);
	uint32_t ts = task_size(m);
	uint32_t type = flags & 3u;
	struct vma v;
	int rc;

	if (!p)
		return err->kind;
	if (prot & ~7u)
		return einval(err, "prot", "prot has bits other than "
			      "PROT_READ|PROT_WRITE|PROT_EXEC");
	if (!type)
		return einval(err, "flags", "flags must contain MAP_PRIVATE "
			      "or MAP_SHARED");
	if (!(flags & MAP_ANONYMOUS))
		return mm_fail(err, MM_EINVAL, "EBADF", "flags",
			       "EBADF: the model has no files: give "
			       "MAP_ANONYMOUS (fd -1)");
	if (!len)
		return einval(err, "len", "len is 0");
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (addr & 0xfff))
		return einval(err, "addr", "a MAP_FIXED address must be "
			      "page-aligned");
	len = ALIGN_UP(len, (uint64_t)PAGE_SIZE);
	if (len > ts)
		return enomem(err, "len", "len is larger than TASK_SIZE");
	if (p->nr_vmas > m->procs.max_map_count)
		return enomem(err, "", "the process has more than "
			      "max_map_count VMAs");
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if ((uint64_t)addr + len > ts)
			return enomem(err, "addr", "the range ends above "
				      "TASK_SIZE");
		if (addr < MMAP_MIN_ADDR)
			return mm_fail(err, MM_EIMPOSSIBLE, "EPERM", "addr",
				       "EPERM: below mmap_min_addr (0x%x)",
				       MMAP_MIN_ADDR);
		if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED)) {
			for (uint32_t i = 0; i < p->nr_vmas; i++)
				if (p->vmas[i].end > addr &&
				    p->vmas[i].start < addr + len)
					return mm_fail(err, MM_EIMPOSSIBLE,
						"EEXIST", "addr", "EEXIST: "
						"MAP_FIXED_NOREPLACE over an "
						"existing mapping");
		}
		if ((rc = do_munmap(m, p, addr, (vaddr_t)(addr + len), err)))
			return rc;
	} else {
		/* round_hint_to_min(): a hint is rounded down to a page,
		 * and up to mmap_min_addr */
		uint64_t hint = ALIGN_DOWN((uint64_t)addr, (uint64_t)PAGE_SIZE);

		if (hint && hint < MMAP_MIN_ADDR)
			hint = MMAP_MIN_ADDR;
		if (hint && ts - len >= hint &&
		    range_free(p, hint, hint + len)) {
			addr = (vaddr_t)hint;
		} else {
			addr = find_gap(p, (uint32_t)len, PAGE_SIZE,
					p->mmap_base, true);
			if (!addr)	/* the bottom-up fallback */
				addr = find_gap(p, (uint32_t)len,
						PAGE_ALIGN32(ts / 3), ts,
						false);
			if (!addr)
				return enomem(err, "len", "no gap in the "
					      "address space is large enough");
			if (addr < MMAP_MIN_ADDR)
				return mm_fail(err, MM_EIMPOSSIBLE, "EPERM",
					"addr", "EPERM: below mmap_min_addr");
		}
	}
	v = (struct vma){ addr, (vaddr_t)(addr + len),
			  prot_flags(prot) | (type == MAP_PRIVATE ? 0 : VM_SHARED),
			  VMA_ANON, 0 };
	vma_insert(p, &v);
	if (!(v.flags & VM_SHARED))
		vma_merge_all(p);
	update_hiwater_vm(p);
	*out = addr;
	return MM_OK;
}

int sys_munmap(struct machine *m, uint32_t pid, vaddr_t addr, uint64_t len,
	       struct mm_error *err)
{
	struct process *p = mm_find(m, pid, err);

	if (!p)
		return err->kind;
	if (addr & 0xfff)
		return einval(err, "addr", "addr must be page-aligned");
	len = ALIGN_UP(len, (uint64_t)PAGE_SIZE);
	if (!len || len > task_size(m) || addr > task_size(m) - len)
		return einval(err, "len", "the range is empty or leaves user "
			      "space");
	return do_munmap(m, p, addr, (vaddr_t)(addr + len), err);
}

/* Split the VMA containing a (if it starts before a) at a. */
static void split_at(struct process *p, vaddr_t a)
{
	struct vma *v = find_vma(p, a);

	if (v && v->start < a) {
		struct vma r = *v;

		r.pgoff += (a - v->start) >> PAGE_SHIFT;
		r.start = a;
		v->end = a;
		vma_insert(p, &r);
	}
}

int sys_mprotect(struct machine *m, uint32_t pid, vaddr_t addr, uint64_t len,
		 uint32_t prot, struct mm_error *err)
{
	struct process *p = mm_find(m, pid, err);
	uint64_t end, a;

	if (!p)
		return err->kind;
	if (addr & 0xfff)
		return einval(err, "addr", "addr must be page-aligned");
	if (prot & ~7u)
		return einval(err, "prot", "prot has unknown bits");
	len = ALIGN_UP(len, (uint64_t)PAGE_SIZE);
	end = (uint64_t)addr + len;
	if (end > task_size(m))
		return enomem(err, "len", "the range leaves user space");
	if (!len)
		return MM_OK;
	/* the whole range must be mapped, without holes */
	for (a = addr; a < end;) {
		struct vma *v = find_vma(p, (vaddr_t)a);

		if (!v)
			return enomem(err, "addr", "part of the range is not "
				      "mapped");
		a = v->end;
	}
	if (p->nr_vmas + 2 > m->procs.max_map_count + 1)
		return enomem(err, "addr", "splitting would exceed "
			      "max_map_count");
	split_at(p, addr);
	if (end < task_size(m))
		split_at(p, (vaddr_t)end);
	for (uint32_t i = 0; i < p->nr_vmas; i++) {
		struct vma *v = &p->vmas[i];

		if (v->start < addr || v->end > end)
			continue;
		v->flags = (v->flags & (VM_SHARED | VM_GROWSDOWN)) |
			   prot_flags(prot);
		/* change_protection() on the PTEs that hold a frame */
		for (a = v->start; a < v->end; a += PAGE_SIZE) {
			phys_addr_t t = pte_table(m, p, (vaddr_t)a);
			unsigned k = pte_index(m, (vaddr_t)a);
			uint64_t e;
			pfn_t pfn;
			bool w;

			if (!t || !pte_has_page(e = pt_read_entry(m, t, k)))
				continue;
			pfn = PFN_DOWN(entry_pa(m, e));
			w = (v->flags & VM_WRITE) && pfn != zero_pfn(m) &&
			    ((v->flags & VM_SHARED) ||
			     mm_frame_mapcount(m, pfn) == 1);
			pt_write_entry(m, t, k, PFN_PHYS(pfn) |
				       pte_prot(m, v, w) |
				       (e & _PAGE_DIRTY & (w ? ~0ull : 0)));
		}
	}
	vma_merge_all(p);
	return MM_OK;
}

int sys_brk(struct machine *m, uint32_t pid, vaddr_t newbrk, vaddr_t *out,
	    struct mm_error *err)
{
	struct process *p = mm_find(m, pid, err);
	vaddr_t oldp, newp;

	if (!p)
		return err->kind;
	*out = p->brk;
	if (newbrk < p->start_brk || newbrk > task_size(m) - PAGE_SIZE)
		return MM_OK;	/* brk returns the old break */
	oldp = PAGE_ALIGN32(p->brk);
	newp = PAGE_ALIGN32(newbrk);
	if (oldp == newp) {
		p->brk = newbrk;
	} else if (newp < oldp) {
		int rc = do_munmap(m, p, newp, oldp, err);

		if (rc)
			return rc;
		p->brk = newbrk;
	} else {
		struct vma *prev = NULL;

		for (uint32_t i = 0; i < p->nr_vmas; i++) {
			if (p->vmas[i].start >= oldp) {
				if ((uint64_t)newp + PAGE_SIZE >
				    vm_start_gap(&p->vmas[i]))
					return MM_OK;	/* no room */
				break;
			}
			prev = &p->vmas[i];
		}
		if (prev && prev->end == oldp &&
		    prev->flags == (VM_READ | VM_WRITE) &&
		    (prev->kind == VMA_ANON || prev->kind == VMA_HEAP)) {
			prev->end = newp;	/* do_brk_flags() expands */
		} else {
			struct vma v = { oldp, newp, VM_READ | VM_WRITE,
					 VMA_HEAP, 0 };

			if (p->nr_vmas > m->procs.max_map_count)
				return MM_OK;
			vma_insert(p, &v);
		}
		p->brk = newbrk;
		update_hiwater_vm(p);
	}
	*out = p->brk;
	return MM_OK;
}

struct vma *mm_expand_stack(struct machine *m, struct process *p, vaddr_t va)
{
	vaddr_t start = va & ~(PAGE_SIZE - 1);

	(void)m;
	for (uint32_t i = 0; i < p->nr_vmas; i++) {
		struct vma *v = &p->vmas[i], *prev = i ? &p->vmas[i - 1] : NULL;

		if (v->start <= va)
			continue;
		if (!(v->flags & VM_GROWSDOWN))
			return NULL;
		/* acct_stack_growth(): RLIMIT_STACK */
		if (v->end - start > (8u << 20))
			return NULL;
		/* expand_downwards(): the guard gap above an accessible
		 * mapping below */
		if (prev && !(prev->flags & VM_GROWSDOWN) &&
		    (prev->flags & (VM_READ | VM_WRITE | VM_EXEC)) &&
		    start - prev->end < STACK_GUARD_GAP)
			return NULL;
		v->start = start;
		update_hiwater_vm(p);
		return v;
	}
	return NULL;
}

/* --- arch_sync_kernel_mappings -------------------------------------------------- */

void mm_sync_kernel_mappings(struct machine *m, vaddr_t start, vaddr_t end)
{
	uint32_t size = m->layout.pmd_size;

	for (uint64_t a = ALIGN_DOWN((uint64_t)start, size); a < end; a += size) {
		unsigned idx, sidx = m->config.pae ? (a >> 21) & 511 : a >> 22;
		phys_addr_t sdir = m->swapper_pg_dir;
		uint64_t e;

		if (m->config.pae)
			sdir = entry_pa(m, pt_read_entry(m, sdir, a >> 30));
		e = pt_read_entry(m, sdir, sidx);
		for (uint32_t i = 0; i < m->procs.nr; i++) {
			const struct process *p = &m->procs.procs[i];
			phys_addr_t dir = dir_for(m, p, (vaddr_t)a, &idx);

			pt_write_entry(m, dir, idx, e);
		}
	}
}

/* --- the OOM killer ---------------------------------------------------------------- */

/* oom_badness(): rss, page tables and swap, plus oom_score_adj thousandths
 * of the machine's pages; LONG_MIN for an unkillable task. */
static long oom_badness(const struct machine *m, const struct process *p)
{
	long points;

	if (p->oom_score_adj == -1000)
		return LONG_MIN;
	points = (long)(p->rss_anon + p->rss_file + p->rss_shmem) +
		 (long)(p->nr_ptes + p->nr_pmds);
	points += (long)p->oom_score_adj *
		  (long)(machine_totalram_pages(m) / 1000);
	return points;
}

/*
 * out_of_memory(): kill the process with the highest badness (a tie goes
 * to the later one, as select_bad_process walks the task list), free its
 * memory, log the kernel's line.  False when there is nothing to kill.
 */
static bool oom_kill(struct machine *m, uint32_t *killed)
{
	struct process *victim = NULL;
	long best = LONG_MIN;

	for (uint32_t i = 0; i < m->procs.nr; i++) {
		struct process *p = &m->procs.procs[i];
		long pts = oom_badness(m, p);

		if (pts == LONG_MIN || (victim && pts < best))
			continue;
		victim = p;
		best = pts;
	}
	if (!victim)
		return false;
	sb_printf(&m->log, "Out of memory: Killed process %u (%s) "
		  "total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, "
		  "shmem-rss:%lukB, UID:0 pgtables:%lukB oom_score_adj:%d\n",
		  victim->pid, victim->comm,
		  (unsigned long)total_vm(victim) * 4,
		  (unsigned long)victim->rss_anon * 4,
		  (unsigned long)victim->rss_file * 4,
		  (unsigned long)victim->rss_shmem * 4,
		  (unsigned long)(victim->nr_ptes + victim->nr_pmds) * 4,
		  victim->oom_score_adj);
	*killed = victim->pid;
	mm_teardown(m, victim);
	remove_proc(m, victim);
	return true;
}

/*
 * A frame for a fault in *pp, calling the OOM killer until the allocation
 * succeeds.  *pp is looked up again after a kill (the process array
 * moves); it is NULL when the faulting process itself was the victim.
 */
static bool fault_frame(struct machine *m, struct process **pp, gfp_t gfp,
			enum page_owner owner, pfn_t *pfn,
			struct fault_result *fr, char *why, size_t wl)
{
	uint32_t pid = (*pp)->pid, killed;

	while (!take_frame(m, gfp, owner, pid, pfn, why, wl)) {
		if (!oom_kill(m, &killed))
			return false;
		fr->oom_killed[fr->nr_oom_killed < 4 ? fr->nr_oom_killed : 3] =
			killed;
		fr->nr_oom_killed++;
		if (!(*pp = (struct process *)mm_find_const(m, pid))) {
			snprintf(why, wl, "the OOM killer chose the faulting "
				 "process itself");
			return false;
		}
	}
	return true;
}

/* --- handle_mm_fault ------------------------------------------------------------- */

static enum fault_outcome fault_oom(struct fault_result *fr, const char *why)
{
	snprintf(fr->reason, sizeof(fr->reason),
		 "VM_FAULT_OOM: no frame: %s", why);
	return FAULT_OOM;
}

int mm_handle_mm_fault(struct machine *m, struct process *p, struct vma *v,
		       vaddr_t va, bool write, struct fault_result *fr)
{
	char why[ALLOC_REASON_MAX];
	bool added;
	phys_addr_t t = pte_alloc(m, &p, va, &added, fr, why, sizeof(why));
	unsigned k = pte_index(m, va);
	uint64_t e;
	pfn_t pfn;
	struct uframe *f;

	if (!t)
		return fault_oom(fr, why);
	if (added)
		fr->tables_added++;
	e = pt_read_entry(m, t, k);
	if (!pte_has_page(e)) {
		bool shmem = v->flags & VM_SHARED, file = v->kind == VMA_FILE;

		if (!shmem && !file && !write) {
			/* do_anonymous_page(): the shared zero page */
			pt_write_entry(m, t, k, PFN_PHYS(zero_pfn(m)) |
				       pte_prot(m, v, false));
			fr->zero_page = true;
			fr->new_pfn = zero_pfn(m);
			snprintf(fr->reason, sizeof(fr->reason),
				 "do_anonymous_page: read fault maps the "
				 "shared zero page read-only%s",
				 added ? " (a PTE page was allocated)" : "");
			return FAULT_HANDLED;
		}
		if (!fault_frame(m, &p, GFP_HIGHUSER_MOVABLE | __GFP_ZERO,
				 OWNER_USER, &pfn, fr, why, sizeof(why)))
			return fault_oom(fr, why);
		uf_add(&m->procs, pfn, file, shmem);
		rss_add(p, uf_find(&m->procs, pfn), 1);
		pt_write_entry(m, t, k, PFN_PHYS(pfn) |
			       pte_prot(m, v, (v->flags & VM_WRITE) &&
					(write || shmem)));
		fr->frames_taken++;
		fr->new_pfn = pfn;
		snprintf(fr->reason, sizeof(fr->reason), "%s: took a zeroed "
			 "frame (GFP_HIGHUSER_MOVABLE | __GFP_ZERO)%s",
			 shmem ? "shmem_fault" : file ? "filemap_fault (page "
			 "cache not modelled)" : "do_anonymous_page",
			 added ? " and a PTE page" : "");
		return FAULT_HANDLED;
	}
	pfn = PFN_DOWN(entry_pa(m, e));
	if (!(e & _PAGE_PRESENT)) {
		snprintf(fr->reason, sizeof(fr->reason), "PROT_NONE page");
		return FAULT_SIGSEGV;
	}
	if (!write || (e & _PAGE_RW)) {
		snprintf(fr->reason, sizeof(fr->reason), "spurious fault: the "
			 "PTE already allows the access");
		return FAULT_HANDLED;
	}
	/* do_wp_page() */
	f = pfn == zero_pfn(m) ? NULL : uf_find(&m->procs, pfn);
	if (f && (f->mapcount == 1 || f->shmem)) {
		pt_write_entry(m, t, k, e | _PAGE_RW | _PAGE_DIRTY);
		fr->cow_reuse = true;
		fr->new_pfn = pfn;
		snprintf(fr->reason, sizeof(fr->reason), "do_wp_page: the "
			 "frame is mapped once: reused and made writable");
		return FAULT_HANDLED;
	}
	{
		pfn_t nf;

		if (!fault_frame(m, &p, GFP_HIGHUSER_MOVABLE |
				 (f ? 0 : __GFP_ZERO), OWNER_USER, &nf, fr,
				 why, sizeof(why)))
			return fault_oom(fr, why);
		/* a kill may have dropped the other mappings of the frame */
		f = uf_find(&m->procs, pfn);
		if (f)
			copy_page(m, PFN_PHYS(nf), PFN_PHYS(pfn));
		uf_add(&m->procs, nf, false, false);
		pt_write_entry(m, t, k, PFN_PHYS(nf) | pte_prot(m, v, true));
		/* the old frame's count goes first: wp_page_copy() leaves
		 * MM_ANONPAGES alone when an anonymous page replaces an
		 * anonymous one, so VmHWM must not see both at once */
		if (f)
			uf_put(m, p, pfn);
		rss_add(p, uf_find(&m->procs, nf), 1);
		fr->frames_taken++;
		fr->new_pfn = nf;
		if (f) {
			fr->cow_copy = true;
			snprintf(fr->reason, sizeof(fr->reason), "do_wp_page: "
				 "copy on write: the frame is shared, its "
				 "contents copied to a new frame");
		} else {
			fr->zero_page = true;
			snprintf(fr->reason, sizeof(fr->reason), "do_wp_page: "
				 "write to the zero page: a new zeroed frame "
				 "replaces it");
		}
	}
	return FAULT_HANDLED;
}
