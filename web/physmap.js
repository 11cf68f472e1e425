// physmap.js - every physical frame, zoomable from the whole of RAM down
// to single frames: a raster of cells, left to right then down, each a
// frame or a power-of-two group of frames, coloured by owner or by zone.

import { $, el, fitCanvas, hex, size, shortSize, plural, PAGE_SIZE } from './util.js';
import { K, KINDS, OWNER_LEGEND, ZONE_LEGEND, runWords } from './kinds.js';
import { paintCells, cellsToImage, kindCounts, firstRunFrom } from './paint.js';

const MIN_CELL = 2;
const MAX_CELL = 32;
// An allocation (slab, vmalloc, page table, user, alloc_pages, pkmap
// frame) in a cell smaller than this is drawn this big: at 4 GiB a cell
// is two pixels, and one kmalloc page among a million free ones would be
// a dot nobody finds.
const MIN_MARK = 6;
const MARK_ORDER = [K.PGTABLE, K.PKMAP, K.USER, K.ALLOC, K.VMALLOC, K.SLAB];

export class PhysMap {
	constructor(root, machine, bus) {
		this.m = machine;
		this.bus = bus;
		this.root = root;
		this.canvas = $('#pm-canvas', root);
		this.tip = $('#pm-tip', root);
		this.info = $('#frame-info');
		this.slider = $('#pm-pos', root);
		this.zoomLabel = $('#pm-zoom', root);
		this.legend = $('#pm-legend', root);
		this.zoneMode = false;
		this.level = 0;
		this.startRow = 0;
		this.cursor = null;	// the selected frame
		this.visible = false;
		this.geom = null;

		$('#pm-in', root).addEventListener('click', () => this.zoom(+1));
		$('#pm-out', root).addEventListener('click', () => this.zoom(-1));
		$('#pm-fit', root).addEventListener('click', () => { this.level = 0; this.startRow = 0; this.render(); });
		for (const r of root.querySelectorAll('input[name=pm-colour]'))
			r.addEventListener('change', () => { this.zoneMode = r.value === 'zone' && r.checked; this.render(); });
		this.slider.addEventListener('input', () => { this.startRow = Number(this.slider.value); this.render(); });

		const c = this.canvas;
		c.addEventListener('pointermove', (e) => this.hover(e));
		c.addEventListener('pointerleave', () => { this.tip.hidden = true; });
		c.addEventListener('click', (e) => {
			const pfn = this.pfnAtEvent(e);
			if (pfn !== null) this.select(pfn, true);
		});
		c.addEventListener('dblclick', (e) => {
			const pfn = this.pfnAtEvent(e);
			if (pfn !== null) { this.cursor = pfn; this.zoom(+2); }
		});
		c.addEventListener('wheel', (e) => {
			if (!this.geom) return;
			if (e.ctrlKey || e.metaKey) {
				e.preventDefault();
				const pfn = this.pfnAtEvent(e);
				if (pfn !== null) this.cursor = pfn;
				this.zoom(e.deltaY < 0 ? +1 : -1);
			} else if (this.geom.maxRow > 0) {
				const before = this.startRow;
				this.startRow = Math.max(0, Math.min(this.geom.maxRow, this.startRow + Math.sign(e.deltaY) * 4));
				if (this.startRow !== before) { e.preventDefault(); this.render(); }
			}
		}, { passive: false });
		c.addEventListener('keydown', (e) => this.key(e));
		new ResizeObserver(() => { if (this.visible) this.render(); }).observe(root);
		bus.on('select', (pfn, from) => {
			if (from === this) return;
			this.cursor = pfn;
			this.reveal(pfn);
			if (this.visible) this.render();
		});
	}

	show(v) {
		this.visible = v;
		if (v) this.render();
	}

	// --- geometry ---------------------------------------------------------------

	// Zoom levels from all of RAM down to one frame per 32 px cell: a
	// power-of-two number of frames per cell (so cells line up with buddy
	// blocks) and a power-of-two number of cells per row, so that every
	// row starts at a round physical address and the axis can name round
	// ones (0x10000000, not 0x0f9c0000); each level's cells are as large
	// as the width allows, then bigger cells.
	levels(aw, ah, total) {
		// the widest cells that hold n cells in aw x ah (or, when none
		// would, the smallest allowed)
		const fit = (n) => {
			let best = null;
			for (let cols = 1; aw / cols >= MIN_CELL; cols *= 2) {
				const s = Math.min(MAX_CELL, aw / cols);
				best = { cols, s };
				if (cols * Math.floor(ah / s) >= n) return { ...best, all: true };
			}
			return best || { cols: 1, s: MIN_CELL };
		};
		let f0 = 1;
		while (!fit(Math.ceil(total / f0)).all && f0 < total) f0 *= 2;
		const out = [];
		let last = 0;
		const push = (f, l) => {
			if (l.s * l.s / f > last * 1.3) { out.push({ f, s: l.s, cols: l.cols }); last = l.s * l.s / f; }
		};
		for (let f = f0; f >= 1; f /= 2) push(f, fit(Math.ceil(total / f)));
		for (let s = 4; s <= MAX_CELL; s *= 2) {
			let cols = 1;
			while (cols * 2 * s <= aw) cols *= 2;
			push(1, { cols, s: Math.min(MAX_CELL, aw / cols) });
		}
		return out;
	}

	computeGeom() {
		const W = Math.max(200, this.canvas.parentElement.clientWidth);
		const narrow = W < 600;
		const H = narrow ? 260 : 320;
		// room for the widest label ("1.75G", "0x7ff00000") and its gap
		const ML = narrow ? 48 : 84, MT = 2;
		const total = this.m.frames ? this.m.frames.end : 1;
		const levels = this.levels(W - ML - 4, H - MT - 2, total);
		this.level = Math.max(0, Math.min(levels.length - 1, this.level));
		const { f, s, cols } = levels[this.level];
		let rows = Math.max(1, Math.floor((H - MT - 2) / s));
		const perRow = cols * f;
		const totalRows = Math.ceil(total / perRow);
		// rows of a power-of-two width may hold all of RAM in part of the
		// height: the canvas ends with the last row, not in a blank band
		let h = H;
		if (totalRows < rows) {
			rows = totalRows;
			h = Math.max(60, Math.ceil(MT + rows * s + 4));
		}
		const maxRow = Math.max(0, totalRows - rows);
		this.startRow = Math.max(0, Math.min(maxRow, this.startRow));
		return { W, H: h, ML, MT, f, s, cols, rows, perRow, totalRows, maxRow, total, levels, narrow,
			start: this.startRow * perRow };
	}

	// the cell's top-left in CSS pixels, or null when out of view
	cellRect(pfn) {
		const g = this.geom;
		if (!g) return null;
		const i = Math.floor((pfn - g.start) / g.f);
		if (i < 0 || i >= g.cols * g.rows) return null;
		return { x: g.ML + (i % g.cols) * g.s, y: g.MT + Math.floor(i / g.cols) * g.s, w: g.s, h: g.s };
	}

	pfnAtEvent(e) {
		const g = this.geom;
		if (!g) return null;
		const r = this.canvas.getBoundingClientRect();
		const x = e.clientX - r.left - g.ML, y = e.clientY - r.top - g.MT;
		if (x < 0 || y < 0) return null;
		const cx = Math.floor(x / g.s), cy = Math.floor(y / g.s);
		if (cx >= g.cols || cy >= g.rows) return null;
		const pfn = g.start + (cy * g.cols + cx) * g.f;
		return pfn < g.total ? pfn : null;
	}

	// scroll so that pfn is in view
	reveal(pfn) {
		const g = this.geom || this.computeGeom();
		const row = Math.floor(pfn / g.perRow);
		if (row < this.startRow || row >= this.startRow + g.rows)
			this.startRow = Math.max(0, Math.min(g.maxRow, row - Math.floor(g.rows / 2)));
	}

	// single frames, big enough to see block edges, around pfn
	zoomToFrame(pfn) {
		const g = this.geom || this.computeGeom();
		const i = g.levels.findIndex((l) => l.f === 1 && l.s >= 8);
		this.level = i >= 0 ? i : g.levels.length - 1;
		this.cursor = pfn;
		this.geom = this.computeGeom();
		this.startRow = 0;
		this.reveal(pfn);
		this.render();
	}

	zoom(d) {
		const g = this.geom || this.computeGeom();
		const anchor = this.cursor ?? (g.start + Math.floor(g.cols * g.rows * g.f / 2));
		const screenRow = Math.floor((anchor - g.start) / g.perRow);
		this.level = Math.max(0, Math.min(g.levels.length - 1, this.level + d));
		this.geom = this.computeGeom();
		const ng = this.geom;
		const row = Math.floor(anchor / ng.perRow);
		this.startRow = Math.max(0, Math.min(ng.maxRow, row - Math.min(screenRow, ng.rows - 1)));
		if (row < this.startRow || row >= this.startRow + ng.rows)
			this.startRow = Math.max(0, Math.min(ng.maxRow, row - Math.floor(ng.rows / 2)));
		this.render();
	}

	// --- drawing ----------------------------------------------------------------

	render() {
		if (!this.visible || !this.m.frames) return;
		const g = this.geom = this.computeGeom();
		const ctx = fitCanvas(this.canvas, g.W, g.H);
		ctx.clearRect(0, 0, g.W, g.H);
		const n = g.cols * g.rows;
		const cells = paintCells(this.m.frames, g.start, g.f, n, this.zoneMode);
		if (!this.off) this.off = document.createElement('canvas');
		this.off.width = g.cols;
		this.off.height = g.rows;
		const octx = this.off.getContext('2d');
		octx.putImageData(cellsToImage(octx, cells, g.cols, g.rows), 0, 0);
		ctx.imageSmoothingEnabled = false;
		ctx.drawImage(this.off, g.ML, g.MT, g.cols * g.s, g.rows * g.s);

		// buddy blocks, once a frame is big enough to see them: every other
		// block a shade darker, and a white edge where each starts
		if (g.f === 1 && g.s >= 4) this.drawBlocks(ctx, g);
		if (g.f === 1 && g.s >= 8) this.drawEdges(ctx, g);
		if (g.s < MIN_MARK && !this.zoneMode) this.drawSmall(ctx, g);
		this.drawAxis(ctx, g);
		this.drawMarks(ctx, g);
		this.updateControls(g);
		this.updateLegend();
		this.describe(g);
	}

	// Every allocation, as a MIN_MARK square in its colour with a dark
	// edge, centred on its cell (over the neighbours, free memory or the
	// kernel's own).  Read from the runs, not the painted cells: a cell
	// paints one kind, and boot's page table at 0x2000 shares a cell with
	// the first kmalloc slab at 0x2001.  Kinds that share a cell sit side
	// by side; marks of neighbouring cells overlap, and the kinds students
	// look for come last, on top.
	drawSmall(ctx, g) {
		const { runs, starts } = this.m.frames;
		const n = g.cols * g.rows, stop = g.start + n * g.f;
		const byCell = new Map();
		for (let i = firstRunFrom(starts, runs, g.start); i < runs.length && runs[i].pfn < stop; i++) {
			const r = runs[i];
			if (!MARK_ORDER.includes(r.kind)) continue;
			const c0 = Math.max(0, Math.floor((r.pfn - g.start) / g.f));
			const c1 = Math.min(n - 1, Math.ceil((r.pfn + r.n - g.start) / g.f) - 1);
			for (let c = c0; c <= c1; c++) {
				const set = byCell.get(c) || byCell.set(c, []).get(c);
				if (!set.includes(r.kind)) set.push(r.kind);
			}
		}
		const half = MIN_MARK / 2;
		ctx.lineWidth = 1;
		ctx.strokeStyle = '#1b1f24';
		for (const want of MARK_ORDER) {
			for (const [c, kinds] of byCell) {
				const j = kinds.indexOf(want);
				if (j < 0) continue;
				kinds.sort((a, b) => MARK_ORDER.indexOf(a) - MARK_ORDER.indexOf(b));
				const at = kinds.indexOf(want) - (kinds.length - 1) / 2;
				const x = g.ML + (c % g.cols) * g.s + g.s / 2 + at * (MIN_MARK + 1);
				const y = g.MT + Math.floor(c / g.cols) * g.s + g.s / 2;
				const x0 = Math.round(Math.max(g.ML, x - half)), y0 = Math.round(Math.max(0, y - half));
				ctx.fillStyle = KINDS[want].color;
				ctx.fillRect(x0, y0, MIN_MARK, MIN_MARK);
				ctx.strokeRect(x0 - 0.5, y0 - 0.5, MIN_MARK + 1, MIN_MARK + 1);
			}
		}
	}

	// frames [lo, hi) as the row segments they cover on screen
	fillFrames(ctx, g, lo, hi) {
		const first = g.start, last = g.start + g.cols * g.rows;
		lo = Math.max(lo, first);
		hi = Math.min(hi, last, g.total);
		while (lo < hi) {
			const i = lo - first, col = i % g.cols, row = Math.floor(i / g.cols);
			const n = Math.min(hi - lo, g.cols - col);
			ctx.fillRect(g.ML + col * g.s, g.MT + row * g.s, n * g.s, g.s);
			lo += n;
		}
	}

	drawBlocks(ctx, g) {
		ctx.fillStyle = 'rgba(0, 0, 0, 0.09)';
		const { runs } = this.m.frames;
		const end = g.start + g.cols * g.rows;
		for (let i = 0; i < runs.length; i++) {
			const r = runs[i];
			if (r.pfn >= end) break;
			if (r.pfn + r.n <= g.start || !(i & 1)) continue;
			this.fillFrames(ctx, g, r.pfn, r.pfn + r.n);
		}
	}

	drawEdges(ctx, g) {
		ctx.fillStyle = 'rgba(255,255,255,0.9)';
		const end = g.start + g.cols * g.rows;
		for (const r of this.m.frames.runs) {
			if (r.pfn + r.n <= g.start) continue;
			if (r.pfn >= end) break;
			if (r.pfn < g.start) continue;
			const p = this.cellRect(r.pfn);
			if (p) ctx.fillRect(p.x, p.y, 1, g.s);
		}
		if (g.s >= 32) {
			ctx.font = '9px ui-monospace, monospace';
			ctx.fillStyle = 'rgba(0,0,0,0.55)';
			for (let i = 0; i < g.cols * g.rows; i++) {
				const pfn = g.start + i;
				if (pfn >= g.total) break;
				if (pfn % 4) continue;
				const p = this.cellRect(pfn);
				ctx.fillText(pfn.toString(16), p.x + 2, p.y + 11);
			}
		}
	}

	// Labels at round addresses: rows start at multiples of perRow (a
	// power of two), and every label is a power of two rows apart, at
	// least 18 px; each sits beside its row, inside the canvas (the first
	// and the last would otherwise be cut in half by its edges).
	drawAxis(ctx, g) {
		const fontPx = g.narrow ? 10 : 11;
		ctx.fillStyle = '#333';
		ctx.font = `${fontPx}px ui-monospace, SFMono-Regular, Menlo, monospace`;
		ctx.textBaseline = 'middle';
		ctx.textAlign = 'right';
		let every = 1;
		while (every * g.s < 18) every *= 2;
		this.axisLabels = [];
		const first = Math.ceil(this.startRow / every) * every;
		for (let row = first; row < this.startRow + g.rows; row += every) {
			const pfn = row * g.perRow;
			if (pfn >= g.total) break;
			const phys = pfn * PAGE_SIZE;
			const label = g.narrow ? shortSize(phys) : hex(phys);
			const y = g.MT + (row - this.startRow) * g.s + Math.min(g.s, 16) / 2;
			const cy = Math.max(fontPx / 2 + 1, Math.min(g.H - fontPx / 2 - 1, y));
			ctx.fillText(label, g.ML - 6, cy);
			this.axisLabels.push({ label, phys, y: cy, w: ctx.measureText(label).width, h: fontPx });
		}
		ctx.textAlign = 'left';
	}

	drawMarks(ctx, g) {
		const box = (pfn, n, color, w) => {
			for (let p = pfn; p < pfn + n; p += Math.max(1, g.f)) {
				const r = this.cellRect(p);
				if (!r) continue;
				ctx.strokeStyle = color;
				ctx.lineWidth = w;
				const pad = g.s < 6 ? 3 : 1;
				ctx.strokeRect(r.x - pad + 0.5, r.y - pad + 0.5, r.w + 2 * pad - 1, r.h + 2 * pad - 1);
			}
		};
		for (const mk of this.m.marks) box(mk.pfn, Math.min(mk.n, 64), '#c2185b', 2);
		if (this.cursor !== null) box(this.cursor, 1, '#000', 2);
	}

	updateControls(g) {
		this.slider.max = String(g.maxRow);
		this.slider.value = String(this.startRow);
		this.slider.disabled = g.maxRow === 0;
		const from = g.start * PAGE_SIZE;
		const to = Math.min(g.total, g.start + g.cols * g.rows * g.f) * PAGE_SIZE;
		this.slider.setAttribute('aria-valuetext', `showing physical ${hex(from)} to ${hex(to)}`);
		const per = g.f === 1 ? `1 frame per cell, ${Math.round(g.s)} px` : `${g.f} frames (${size(g.f * PAGE_SIZE)}) per cell`;
		this.zoomLabel.textContent = `${per} · ${g.f === 1 && g.s >= 4 ? 'alternate shades: one buddy block (or run) each · ' : ''}` +
			`${g.s < MIN_MARK ? `allocations drawn ${MIN_MARK} px wide · ` : ''}` +
			`${hex(from)}–${hex(to)}`;
		$('#pm-in', this.root).disabled = this.level >= g.levels.length - 1;
		$('#pm-out', this.root).disabled = this.level === 0;
	}

	updateLegend() {
		const list = this.zoneMode ? ZONE_LEGEND : OWNER_LEGEND;
		const counts = new Map();
		for (const r of this.m.frames.runs) {
			const k = this.zoneMode ? r.zkind : r.kind;
			counts.set(k, (counts.get(k) || 0) + r.n);
		}
		this.legend.replaceChildren(...list.filter((k) => counts.get(k)).map((k) => el('li', {},
			el('span', { class: 'chip', style: { background: KINDS[k].color }, 'aria-hidden': 'true' }),
			`${KINDS[k].label} `, el('span', { class: 'count' }, size(counts.get(k) * PAGE_SIZE)))));
	}

	// The canvas's text alternative: what is where, in a sentence or two.
	describe(g) {
		const spans = this.m.zoneSpans().map((z) =>
			`${z.zone} ${shortSize(z.lo * PAGE_SIZE)}–${shortSize(z.hi * PAGE_SIZE)}`).join(', ');
		const used = new Map();
		for (const r of this.m.frames.runs)
			if (r.state === 'allocated') used.set(r.kind, (used.get(r.kind) || 0) + r.n);
		const usedText = [...used].map(([k, n]) => `${plural(n, 'page')} of ${KINDS[k].label}`).join(', ');
		this.canvas.setAttribute('aria-label',
			`Physical memory map, ${size(g.total * PAGE_SIZE)} in ${plural(g.total, 'frame')}; ` +
			`zones: ${spans}. Allocated: ${usedText || 'nothing yet'}. ` +
			`Arrow keys move between frames, plus and minus zoom, Enter describes the frame.`);
	}

	// --- pointing ---------------------------------------------------------------

	hover(e) {
		const pfn = this.pfnAtEvent(e);
		if (pfn === null || e.pointerType === 'touch') { this.tip.hidden = true; return; }
		const g = this.geom;
		const r = this.m.runAt(pfn);
		const lines = [];
		if (g.f > 1) {
			const counts = kindCounts(this.m.frames, pfn, pfn + g.f);
			lines.push(`pfn ${hex(pfn, 5)}–${hex(pfn + g.f - 1, 5)} (${g.f} frames)`);
			lines.push([...counts].sort((a, b) => b[1] - a[1]).slice(0, 3)
				.map(([k, n]) => `${n} ${KINDS[k].label}`).join(', '));
		} else {
			lines.push(`pfn ${hex(pfn, 5)} · ${hex(pfn * PAGE_SIZE)}`);
			lines.push(r ? `${r.zone || 'no zone'} · ${runWords(r)}` : 'outside RAM');
			const maps = this.m.mappings(pfn);
			if (maps.length) lines.push(`mapped at ${maps.slice(0, 2).map((x) => hex(x.va)).join(', ')}${maps.length > 2 ? ' …' : ''}`);
		}
		this.tip.replaceChildren(...lines.map((l) => el('div', {}, l)));
		const box = this.canvas.getBoundingClientRect();
		const wrap = this.canvas.parentElement.getBoundingClientRect();
		let x = e.clientX - wrap.left + 14, y = e.clientY - wrap.top + 14;
		this.tip.hidden = false;
		const tw = this.tip.offsetWidth;
		if (x + tw > box.width) x = Math.max(0, e.clientX - wrap.left - tw - 10);
		this.tip.style.left = x + 'px';
		this.tip.style.top = y + 'px';
	}

	select(pfn, announce) {
		this.cursor = pfn;
		this.render();
		this.bus.emit('select', pfn, this);
		if (announce) this.bus.emit('describe', pfn);
	}

	key(e) {
		const g = this.geom;
		if (!g) return;
		let pfn = this.cursor ?? g.start;
		const step = g.f;
		switch (e.key) {
		case 'ArrowRight': pfn += step; break;
		case 'ArrowLeft': pfn -= step; break;
		case 'ArrowDown': pfn += g.perRow; break;
		case 'ArrowUp': pfn -= g.perRow; break;
		case 'PageDown': pfn += g.perRow * g.rows; break;
		case 'PageUp': pfn -= g.perRow * g.rows; break;
		case 'Home': pfn = 0; break;
		case 'End': pfn = g.total - 1; break;
		case '+': case '=': this.cursor = pfn; this.zoom(+1); e.preventDefault(); return;
		case '-': case '_': this.cursor = pfn; this.zoom(-1); e.preventDefault(); return;
		case 'Enter': case ' ': this.select(pfn, true); e.preventDefault(); return;
		default: return;
		}
		e.preventDefault();
		pfn = Math.max(0, Math.min(g.total - 1, pfn));
		pfn -= pfn % g.f;
		this.cursor = pfn;
		this.reveal(pfn);
		this.select(pfn, true);
	}
}

// The words for one frame: pfn, address, zone, owner, every mapping.
export function describeFrame(m, pfn) {
	const r = m.runAt(pfn);
	const phys = pfn * PAGE_SIZE;
	const maps = m.mappings(pfn);
	const out = {
		title: `Frame ${hex(pfn, 5)}`,
		rows: [
			['physical address', `${hex(phys)}–${hex(phys + PAGE_SIZE - 1)}`],
			['zone', r ? (r.zone ? `${r.zone}${m.isLowmem(pfn) ? ' (lowmem)' : pfn >= (m.layout?.highstart_pfn ?? Infinity) ? ' (highmem: no permanent kernel address)' : ''}` : 'none') : 'outside RAM'],
			['owner', r ? runWords(r) : 'nothing: past the end of RAM'],
		],
		maps,
		run: r,
	};
	if (r && r.n > 1) out.rows.push(['block or stretch', `pfn ${hex(r.pfn, 5)}–${hex(r.pfn + r.n - 1, 5)} (${plural(r.n, 'frame')})`]);
	return out;
}
