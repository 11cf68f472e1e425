// paint.js - frames to pixels.  A strip of n cells, cell i covering the
// frames [start + i*f, start + (i+1)*f) (f may be fractional when a frame
// is wider than a cell); each cell gets the kind of the most specific
// frame in it.  The cost is one step per cell touched plus one per run.

import { PRIO, RGB, K } from './kinds.js';

export function firstRunFrom(starts, runs, pfn) {
	let lo = 0, hi = runs.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (starts[mid] + runs[mid].n <= pfn) lo = mid + 1; else hi = mid;
	}
	return lo;
}

export function paintCells(frames, start, f, n, zoneMode, out = new Uint8Array(n)) {
	out.fill(K.NONE);
	if (!frames) return out;
	const { runs, starts } = frames;
	const stop = start + n * f;
	for (let i = firstRunFrom(starts, runs, start); i < runs.length && runs[i].pfn < stop; i++) {
		const r = runs[i];
		const k = zoneMode ? r.zkind : r.kind;
		const p = PRIO[k];
		let c0 = Math.floor((r.pfn - start) / f);
		let c1 = Math.ceil((r.pfn + r.n - start) / f) - 1;
		if (c0 < 0) c0 = 0;
		if (c1 > n - 1) c1 = n - 1;
		for (let c = c0; c <= c1; c++)
			if (p > PRIO[out[c]]) out[c] = k;
	}
	return out;
}

// Count the kinds in frames [lo, hi): {kind: frames}
export function kindCounts(frames, lo, hi) {
	const counts = new Map();
	if (!frames) return counts;
	const { runs, starts } = frames;
	for (let i = firstRunFrom(starts, runs, lo); i < runs.length && runs[i].pfn < hi; i++) {
		const r = runs[i];
		const n = Math.min(hi, r.pfn + r.n) - Math.max(lo, r.pfn);
		if (n > 0) counts.set(r.kind, (counts.get(r.kind) || 0) + n);
	}
	return counts;
}

// cells -> an ImageData of cols x rows, one pixel a cell
export function cellsToImage(ctx, cells, cols, rows) {
	const img = ctx.createImageData(cols, rows);
	const d = img.data;
	for (let i = 0; i < cols * rows; i++) {
		const [r, g, b] = RGB[cells[i]];
		d[i * 4] = r; d[i * 4 + 1] = g; d[i * 4 + 2] = b; d[i * 4 + 3] = 255;
	}
	return img;
}
