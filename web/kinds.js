// kinds.js - what a frame is, as a small number the maps can paint fast,
// with its colour, its words, and how much it matters when several
// frames share one pixel (the most specific owner wins, so one slab page
// still shows in a sea of free memory).

export const K = {
	NONE: 0, HOLE: 1,
	FREE_DMA: 2, FREE_NORMAL: 3, FREE_HIGH: 4, FREE_OTHER: 5,
	RESERVED: 6, KIMAGE: 7, MEMMAP: 8, KERNEL: 9,
	PGTABLE: 10, SLAB: 11, VMALLOC: 12, PKMAP: 13, USER: 14, ALLOC: 15,
	// zone colouring
	Z_DMA: 16, Z_NORMAL: 17, Z_HIGH: 18, Z_MOVABLE: 19, Z_NONE: 20,
	// highlight
	MARK: 21,
};

export const KINDS = [
	/* 0 */ { key: 'none', label: 'outside RAM', color: '#ffffff', prio: 0 },
	/* 1 */ { key: 'hole', label: 'hole (no RAM)', color: '#dcdcdc', prio: 1 },
	/* 2 */ { key: 'free-dma', label: 'free, DMA zone', color: '#f7e3a1', prio: 2 },
	/* 3 */ { key: 'free-normal', label: 'free, Normal zone', color: '#c9e8c4', prio: 2 },
	/* 4 */ { key: 'free-high', label: 'free, HighMem zone', color: '#c6dcf5', prio: 2 },
	/* 5 */ { key: 'free-other', label: 'free, Movable zone', color: '#e3d2f0', prio: 2 },
	/* 6 */ { key: 'reserved', label: 'reserved (firmware, percpu, hashes)', color: '#8a8a8a', prio: 5 },
	/* 7 */ { key: 'kimage', label: 'kernel image', color: '#4b2c7f', prio: 6 },
	/* 8 */ { key: 'memmap', label: 'mem_map (struct page array)', color: '#9c7cc9', prio: 6 },
	/* 9 */ { key: 'kernel', label: 'kernel allocation', color: '#6a3d9a', prio: 7 },
	/* 10 */ { key: 'pgtable', label: 'page table', color: '#d62728', prio: 9 },
	/* 11 */ { key: 'slab', label: 'slab (kmalloc, caches)', color: '#f28500', prio: 9 },
	/* 12 */ { key: 'vmalloc', label: 'vmalloc area', color: '#1565c0', prio: 9 },
	/* 13 */ { key: 'pkmap', label: 'pkmap', color: '#00a3b4', prio: 9 },
	/* 14 */ { key: 'user', label: 'user page', color: '#1e8c2f', prio: 9 },
	/* 15 */ { key: 'alloc_pages', label: 'alloc_pages block', color: '#d4409b', prio: 9 },
	/* 16 */ { key: 'zone-dma', label: 'ZONE_DMA', color: '#e0a800', prio: 4 },
	/* 17 */ { key: 'zone-normal', label: 'ZONE_NORMAL', color: '#3a9d23', prio: 4 },
	/* 18 */ { key: 'zone-high', label: 'ZONE_HIGHMEM', color: '#2f6fd0', prio: 4 },
	/* 19 */ { key: 'zone-movable', label: 'ZONE_MOVABLE', color: '#8e44ad', prio: 4 },
	/* 20 */ { key: 'zone-none', label: 'hole (no RAM)', color: '#dcdcdc', prio: 1 },
	/* 21 */ { key: 'mark', label: 'selected', color: '#000000', prio: 10 },
];

export const PRIO = Uint8Array.from(KINDS.map((k) => k.prio));
export const RGB = KINDS.map((k) => {
	const n = parseInt(k.color.slice(1), 16);
	return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
});

export const OWNER_LEGEND = [K.FREE_DMA, K.FREE_NORMAL, K.FREE_HIGH, K.KIMAGE, K.MEMMAP,
	K.RESERVED, K.KERNEL, K.PGTABLE, K.SLAB, K.VMALLOC, K.PKMAP, K.USER, K.ALLOC, K.HOLE];
export const ZONE_LEGEND = [K.Z_DMA, K.Z_NORMAL, K.Z_HIGH, K.Z_MOVABLE, K.Z_NONE];

const OWNER_KIND = {
	pgtable: K.PGTABLE, slab: K.SLAB, vmalloc: K.VMALLOC, pkmap: K.PKMAP,
	user: K.USER, alloc_pages: K.ALLOC, kernel: K.KERNEL,
	shmem: K.USER,	// page cache of rootfs's files: painted as user memory
};
const FREE_KIND = { DMA: K.FREE_DMA, Normal: K.FREE_NORMAL, HighMem: K.FREE_HIGH };
const ZONE_KIND = { DMA: K.Z_DMA, Normal: K.Z_NORMAL, HighMem: K.Z_HIGH, Movable: K.Z_MOVABLE };

// A run from /frames (numbers already parsed) to its kind.
export function runKind(r) {
	if (r.state === 'hole') return K.HOLE;
	if (r.state === 'free') return FREE_KIND[r.zone] ?? K.FREE_OTHER;
	if (r.state === 'allocated') return OWNER_KIND[r.owner] ?? K.KERNEL;
	if (r.state === 'reserved') {
		if (/kernel|brk/i.test(r.why || '')) return K.KIMAGE;
		if (/mem_map/i.test(r.why || '')) return K.MEMMAP;
		return K.RESERVED;
	}
	return K.RESERVED;
}

export function zoneKind(r) {
	if (r.state === 'hole') return K.Z_NONE;	// a hole inside a zone's span is still no RAM
	return r.zone ? (ZONE_KIND[r.zone] ?? K.Z_NONE) : K.Z_NONE;
}

// What the run is, in words: "slab of cache kmalloc-128".
export function runWords(r) {
	switch (r.state) {
	case 'hole': return 'a hole: no RAM here (firmware, ROM or the PCI window)';
	case 'free':
		if (r.pcp_cpu !== undefined && r.pcp_cpu !== null)
			return `free, on CPU ${r.pcp_cpu}'s per-CPU list (order ${r.order}, ` +
				`${r.migratetype || 'unknown'}): outside MemFree until drained`;
		return `free, in a buddy block of order ${r.order} (${1 << r.order} ` +
			`page${r.order ? 's' : ''}, ${r.migratetype || 'unknown'} free list)`;
	case 'reserved': return r.why ? `reserved by memblock at boot: ${r.why}` : 'reserved at boot (memblock)';
	case 'allocated': {
		const blk = `order-${r.order} block`;
		switch (r.owner) {
		case 'slab': return r.cache ? `slab of cache ${r.cache} (${blk})` : `kmalloc_large pages (${blk})`;
		case 'user': return r.pid ? `user page of process ${r.pid}` : 'user page (shared, or its process is gone)';
		case 'pgtable': return r.pid ? `page table of process ${r.pid}` : 'kernel page table';
		case 'vmalloc': return 'vmalloc area page (or its page array)';
		case 'pkmap': return 'pkmap page table';
		case 'shmem': return 'shmem page: a file the initramfs unpacked into rootfs';
		case 'alloc_pages': return `alloc_pages ${blk}${r.gfp ? ' ' + r.gfp : ''}`;
		case 'kernel-stack': return `a kernel thread's stack (THREAD_SIZE, ${blk})`;
		case 'kernel': return r.what ? `kernel allocation: ${r.what} (${blk})` : `kernel allocation (${blk})`;
		default: return `${r.owner || 'allocated'} (${blk})`;
		}
	}
	default: return r.state;
	}
}
