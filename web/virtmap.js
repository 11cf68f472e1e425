// virtmap.js - the 4 GiB virtual address space above, physical memory
// below, to scale, and the mappings drawn between them: the linear map as
// one straight band onto lowmem, vmalloc pages fanning out to frames
// scattered over HighMem, kmap slots, and a process's pages.

import { $, el, fitCanvas, hex, size, shortSize, plural, PAGE_SIZE } from './util.js';
import { KINDS, K, runWords } from './kinds.js';
import { paintCells } from './paint.js';

const FOUR_G = 2 ** 32;

export const REGION_STYLE = {
	user: { color: '#9fd49a', label: 'user space' },
	lowmem: { color: '#9c7cc9', label: 'linear map (lowmem)', short: 'linear map' },
	hole: { color: '#eeeeee', label: '8 MiB gap' },
	vmalloc: { color: '#8fb8e8', label: 'vmalloc' },
	gap: { color: '#f4f4f4', label: 'unused' },
	pkmap: { color: '#7fd3dc', label: 'pkmap' },
	ldt: { color: '#c9a27e', label: 'LDT remap' },
	cpu_entry_area: { color: '#b5b35c', label: 'CPU entry area' },
	fixmap_boot: { color: '#e7a9c9', label: 'boot fixmap' },
	fixmap: { color: '#d77fb0', label: 'fixmap' },
	top: { color: '#9e9e9e', label: 'last page' },
};

const LINK = {
	linear: 'rgba(106, 61, 154, 0.16)',
	linearEdge: 'rgba(106, 61, 154, 0.75)',
	vmalloc: 'rgba(21, 101, 192, 0.75)',
	pkmap: 'rgba(0, 131, 143, 0.9)',
	user: 'rgba(30, 140, 47, 0.7)',
	mark: '#c2185b',
};

export class VirtMap {
	constructor(root, machine, bus) {
		this.m = machine;
		this.bus = bus;
		this.root = root;
		this.canvas = $('#vm-canvas', root);
		this.tip = $('#vm-tip', root);
		this.procSel = $('#vm-proc', root);
		this.regionsEl = $('#vm-regions', root);
		this.linksEl = $('#vm-links', root);
		this.rangeEl = $('#vm-range', root);
		this.v = { lo: 0, hi: FOUR_G };
		this.p = null;	// {lo, hi} in frames; null: all of RAM
		this.pid = 0;
		this.visible = false;
		this.cursor = null;

		$('#vm-in', root).addEventListener('click', () => this.zoomV(0.5));
		$('#vm-out', root).addEventListener('click', () => this.zoomV(2));
		$('#vm-all', root).addEventListener('click', () => { this.v = { lo: 0, hi: FOUR_G }; this.render(); });
		$('#vm-top', root).addEventListener('click', () => this.zoomTop());
		$('#vm-left', root).addEventListener('click', () => this.pan(-0.25));
		$('#vm-right', root).addEventListener('click', () => this.pan(0.25));
		$('#vm-pall', root).addEventListener('click', () => { this.p = null; this.render(); });
		$('#vm-pin', root).addEventListener('click', () => this.zoomP(0.5));
		this.procSel.addEventListener('change', () => { this.pid = Number(this.procSel.value); this.render(); });

		const c = this.canvas;
		c.addEventListener('pointermove', (e) => this.hover(e));
		c.addEventListener('pointerleave', () => { this.tip.hidden = true; });
		c.addEventListener('click', (e) => this.click(e));
		c.addEventListener('wheel', (e) => {
			if (!(e.ctrlKey || e.metaKey) || !this.geom) return;
			e.preventDefault();
			const at = this.at(e);
			if (at.strip === 'p') this.zoomP(e.deltaY < 0 ? 0.5 : 2, at.pfn);
			else if (at.strip === 'v') this.zoomV(e.deltaY < 0 ? 0.5 : 2, at.va);
		}, { passive: false });
		c.addEventListener('keydown', (e) => {
			const k = e.key;
			if (k === '+' || k === '=') this.zoomV(0.5);
			else if (k === '-' || k === '_') this.zoomV(2);
			else if (k === 'ArrowLeft') this.pan(-0.1);
			else if (k === 'ArrowRight') this.pan(0.1);
			else if (k === 'Home') { this.v = { lo: 0, hi: FOUR_G }; this.render(); }
			else return;
			e.preventDefault();
		});
		new ResizeObserver(() => { if (this.visible) this.render(); }).observe(root);
		bus.on('select', (pfn, from) => { if (from !== this) { this.cursor = pfn; if (this.visible) this.render(); } });
	}

	show(v) {
		this.visible = v;
		if (v) this.render();
	}

	setProcess(pid) {
		this.pid = pid;
		this.syncProcs();
		const p = this.m.processes.find((x) => x.pid === pid);
		if (p && this.m.layout) this.zoomTo(0, this.m.layout.PAGE_OFFSET);
		else this.render();
	}

	// --- views --------------------------------------------------------------

	zoomTo(lo, hi, pad = 0.04) {
		const span = hi - lo;
		lo = Math.max(0, lo - span * pad);
		hi = Math.min(FOUR_G, hi + span * pad);
		this.v = { lo, hi: Math.max(hi, lo + PAGE_SIZE * 8) };
		this.render();
	}

	zoomTop() {
		const L = this.m.layout;
		if (L) this.zoomTo(L.VMALLOC_START, FOUR_G, 0.01);
	}

	zoomV(factor, center) {
		const span = this.v.hi - this.v.lo;
		const c = center ?? (this.v.lo + span / 2);
		let ns = Math.min(FOUR_G, Math.max(PAGE_SIZE * 8, span * factor));
		let lo = c - (c - this.v.lo) * (ns / span);
		lo = Math.max(0, Math.min(FOUR_G - ns, lo));
		this.v = { lo, hi: lo + ns };
		this.render();
	}

	pan(frac) {
		const span = this.v.hi - this.v.lo;
		const lo = Math.max(0, Math.min(FOUR_G - span, this.v.lo + span * frac));
		this.v = { lo, hi: lo + span };
		this.render();
	}

	pRange() {
		const end = this.m.frames ? this.m.frames.end : 1;
		return this.p || { lo: 0, hi: end };
	}

	zoomP(factor, center) {
		const end = this.m.frames ? this.m.frames.end : 1;
		const p = this.pRange();
		const span = p.hi - p.lo;
		const c = center ?? (p.lo + span / 2);
		const ns = Math.min(end, Math.max(16, span * factor));
		let lo = c - (c - p.lo) * (ns / span);
		lo = Math.max(0, Math.min(end - ns, lo));
		this.p = ns >= end ? null : { lo, hi: lo + ns };
		this.render();
	}

	// --- geometry -------------------------------------------------------------

	computeGeom() {
		const W = Math.max(240, this.canvas.parentElement.clientWidth);
		const narrow = W < 600;
		const H = narrow ? 300 : 340;
		const ML = 8, MR = 8;
		const g = {
			W, H, ML, MR, narrow, plotW: W - ML - MR,
			labelTop: 4, vTop: 40, vBand: 8, vH: 40,
			pH: 40, axis: 20,
		};
		g.vBottom = g.vTop + g.vH;
		g.pTop = H - g.axis - g.pH - 16;
		g.pBottom = g.pTop + g.pH;
		return g;
	}

	xv(va) { const g = this.geom; return g.ML + (va - this.v.lo) / (this.v.hi - this.v.lo) * g.plotW; }
	xp(pfn) { const g = this.geom, p = this.pRange(); return g.ML + (pfn - p.lo) / (p.hi - p.lo) * g.plotW; }
	vaAt(x) { const g = this.geom; return this.v.lo + (x - g.ML) / g.plotW * (this.v.hi - this.v.lo); }
	pfnAt(x) { const g = this.geom, p = this.pRange(); return p.lo + (x - g.ML) / g.plotW * (p.hi - p.lo); }

	at(e) {
		const g = this.geom;
		const r = this.canvas.getBoundingClientRect();
		const x = e.clientX - r.left, y = e.clientY - r.top;
		if (x < g.ML || x > g.ML + g.plotW) return { strip: null };
		if (y >= g.vTop - 4 && y <= g.vBottom + 4) return { strip: 'v', va: Math.floor(this.vaAt(x)), x, y };
		if (y >= g.pTop - 4 && y <= g.pBottom + 4) return { strip: 'p', pfn: Math.floor(this.pfnAt(x)), x, y };
		return { strip: null, x, y };
	}

	// --- drawing --------------------------------------------------------------

	render() {
		if (!this.visible || !this.m.layout || !this.m.frames) return;
		this.syncProcs();
		const g = this.geom = this.computeGeom();
		const ctx = fitCanvas(this.canvas, g.W, g.H);
		ctx.clearRect(0, 0, g.W, g.H);
		ctx.font = `${g.narrow ? 10 : 11}px system-ui, sans-serif`;
		this.drawVirtual(ctx, g);
		this.drawPhysical(ctx, g);
		this.drawMarks(ctx, g);
		this.drawLinks(ctx, g);
		this.drawAxes(ctx, g);
		this.rangeEl.textContent = `virtual ${hex(this.v.lo)}–${hex(Math.min(FOUR_G - 1, this.v.hi))} ` +
			`(${size(this.v.hi - this.v.lo)}) · physical ${hex(this.pRange().lo * PAGE_SIZE)}–` +
			`${hex(this.pRange().hi * PAGE_SIZE)}`;
		this.renderRegions();
		this.renderLinksText();
	}

	syncProcs() {
		const procs = this.m.processes;
		if (this.pid && !procs.some((p) => p.pid === this.pid)) this.pid = 0;
		const want = ['0', ...procs.map((p) => String(p.pid))].join(',');
		if (this.procSel.dataset.pids !== want) {
			this.procSel.replaceChildren(el('option', { value: '0' }, 'the kernel only'),
				...procs.map((p) => el('option', { value: String(p.pid) }, `process ${p.pid} (${p.comm})`)));
			this.procSel.dataset.pids = want;
		}
		this.procSel.value = String(this.pid);
	}

	proc() { return this.m.processes.find((p) => p.pid === this.pid) || null; }

	fillSpan(ctx, lo, hi, y, h, color, minW = 1) {
		if (hi <= this.v.lo || lo >= this.v.hi) return;
		// whole pixels: a page narrower than a pixel still gets a crisp one
		const x0 = Math.floor(this.xv(Math.max(lo, this.v.lo))), x1 = Math.ceil(this.xv(Math.min(hi, this.v.hi)));
		ctx.fillStyle = color;
		ctx.fillRect(x0, y, Math.max(minW, x1 - x0), h);
	}

	drawVirtual(ctx, g) {
		const L = this.m.layout;
		const yC = g.vTop + g.vBand, hC = g.vH - g.vBand;
		for (const r of L.regions) {
			const st = REGION_STYLE[r.name] || { color: '#ccc' };
			this.fillSpan(ctx, r.start, r.end, g.vTop, g.vBand, st.color);
			const light = r.name === 'lowmem' ? null : st.color + '88';
			if (light) this.fillSpan(ctx, r.start, r.end, yC, hC, light);
		}
		// lowmem's contents: the very frames it maps, pixel for pixel
		const lo = Math.max(this.v.lo, L.PAGE_OFFSET), hi = Math.min(this.v.hi, L.high_memory);
		if (hi > lo) {
			const x0 = Math.floor(this.xv(lo)), x1 = Math.ceil(this.xv(hi));
			const n = Math.max(1, x1 - x0);
			const f = (hi - lo) / PAGE_SIZE / n;
			const cells = paintCells(this.m.frames, (lo - L.PAGE_OFFSET) / PAGE_SIZE, f, n, false);
			for (let i = 0; i < n; i++) {
				ctx.fillStyle = KINDS[cells[i]].color;
				ctx.fillRect(x0 + i, yC, 1, hC);
			}
		}
		// vmalloc areas in use, with their guard page
		for (const a of this.m.vmalloc) {
			this.fillSpan(ctx, a.end - PAGE_SIZE, a.end, yC, hC, '#cfd8dc');
			this.fillSpan(ctx, a.start, a.end - PAGE_SIZE, yC, hC, KINDS[K.VMALLOC].color, 2);
		}
		// kmap slots
		for (const s of (this.m.pkmap && this.m.pkmap.slots) || []) {
			const va = parseInt(s.addr, 16);
			this.fillSpan(ctx, va, va + PAGE_SIZE, yC, hC, KINDS[K.PKMAP].color, 2);
		}
		// the chosen process's VMAs and present pages
		const p = this.proc();
		if (p) {
			for (const vma of p.maps) this.fillSpan(ctx, vma.start, vma.end, yC, hC, '#2e7d32', 3);
			for (const pg of p.pages) if (pg.present) this.fillSpan(ctx, pg.va, pg.va + PAGE_SIZE, yC + hC / 2, hC / 2, KINDS[K.USER].color, 2);
		} else {
			const u = L.regions.find((r) => r.name === 'user');
			if (u && u.end > this.v.lo && u.start < this.v.hi) {
				const x0 = this.xv(Math.max(u.start, this.v.lo)), x1 = this.xv(Math.min(u.end, this.v.hi));
				const label = 'user space: choose a process to see its mappings';
				if (x1 - x0 > ctx.measureText(label).width + 12) {
					ctx.fillStyle = '#245a21';
					ctx.textAlign = 'center';
					ctx.textBaseline = 'middle';
					ctx.fillText(label, (x0 + x1) / 2, yC + hC / 2);
					ctx.textAlign = 'left';
				}
			}
		}
		ctx.strokeStyle = '#555';
		ctx.lineWidth = 1;
		ctx.strokeRect(g.ML + 0.5, g.vTop + 0.5, g.plotW - 1, g.vH - 1);
		this.drawRegionLabels(ctx, g);
	}

	drawRegionLabels(ctx, g) {
		const L = this.m.layout;
		ctx.textBaseline = 'alphabetic';
		let lastEnd = [-1e9, -1e9];
		const tiny = [];
		// the chosen process's VMAs are named like the small regions
		const p = this.proc();
		if (p) {
			for (const vma of p.maps) {
				if (vma.end <= this.v.lo || vma.start >= this.v.hi) continue;
				const label = vma.name || 'anon';
				const x0 = this.xv(Math.max(vma.start, this.v.lo)), x1 = this.xv(Math.min(vma.end, this.v.hi));
				const prev = tiny[tiny.length - 1];
				// neighbours of one name (text, data) are one label
				if (prev && prev.label === label && (x0 + x1) / 2 - prev.x < 20) continue;
				tiny.push({ x: (x0 + x1) / 2, label, w: ctx.measureText(label).width });
			}
		}
		for (const r of L.regions) {
			if (r.end <= this.v.lo || r.start >= this.v.hi) continue;
			const st = REGION_STYLE[r.name] || { label: r.name };
			if (r.name === 'gap' || r.name === 'top') continue;
			const x0 = this.xv(Math.max(r.start, this.v.lo)), x1 = this.xv(Math.min(r.end, this.v.hi));
			const label = r.name === 'hole' ? '8 MiB gap' : st.label;
			const w = ctx.measureText(label).width;
			if (x1 - x0 >= w + 6) {
				ctx.fillStyle = '#222';
				ctx.fillText(label, (x0 + x1) / 2 - w / 2, g.vTop - 8);
			} else {
				tiny.push({ x: (x0 + x1) / 2, label, w });
			}
		}
		// regions too narrow for their name: staggered names with a tick
		tiny.sort((a, b) => a.x - b.x);
		tiny.forEach((t, i) => {
			const row = i % 2;
			const y = row ? g.vTop - 8 : g.vTop - 22;
			let x = Math.min(g.ML + g.plotW - t.w, Math.max(g.ML, t.x - t.w / 2));
			if (x < lastEnd[row] + 4) return;	// no room: the list below names it
			ctx.fillStyle = '#444';
			ctx.fillText(t.label, x, y);
			ctx.fillRect(Math.round(t.x), y + 2, 1, g.vTop - y - 2);
			lastEnd[row] = x + t.w;
		});
	}

	drawPhysical(ctx, g) {
		const p = this.pRange();
		const n = g.plotW;
		const f = (p.hi - p.lo) / n;
		const cells = paintCells(this.m.frames, p.lo, f, n, false);
		for (let i = 0; i < n; i++) {
			ctx.fillStyle = KINDS[cells[i]].color;
			ctx.fillRect(g.ML + i, g.pTop, 1, g.pH);
		}
		// zones under the strip
		const spans = this.m.zoneSpans();
		ctx.textBaseline = 'alphabetic';
		const zc = { DMA: KINDS[K.Z_DMA].color, Normal: KINDS[K.Z_NORMAL].color, HighMem: KINDS[K.Z_HIGH].color, Movable: KINDS[K.Z_MOVABLE].color };
		for (const z of spans) {
			const x0 = Math.max(g.ML, this.xp(z.lo)), x1 = Math.min(g.ML + g.plotW, this.xp(z.hi));
			if (x1 <= x0) continue;
			ctx.fillStyle = zc[z.zone] || '#999';
			ctx.fillRect(x0, g.pBottom + 2, x1 - x0, 4);
			const label = z.zone === 'HighMem' ? 'HighMem' : z.zone;
			const w = ctx.measureText(label).width;
			if (x1 - x0 > w + 4) {
				ctx.fillStyle = '#222';
				ctx.fillText(label, (x0 + x1) / 2 - w / 2, g.pBottom + 17);
			}
		}
		ctx.strokeStyle = '#555';
		ctx.strokeRect(g.ML + 0.5, g.pTop + 0.5, g.plotW - 1, g.pH - 1);
		if (this.cursor !== null) {
			const x = this.xp(this.cursor + 0.5);
			if (x >= g.ML && x <= g.ML + g.plotW) {
				ctx.fillStyle = '#000';
				ctx.beginPath();
				ctx.moveTo(x, g.pBottom + 1);
				ctx.lineTo(x - 5, g.pBottom + 9);
				ctx.lineTo(x + 5, g.pBottom + 9);
				ctx.fill();
			}
		}
	}

	// every mapping the page knows of, as [va, pfn, kind]
	links() {
		const out = [];
		for (const a of this.m.vmalloc)
			for (const pg of a.pageList) out.push({ va: pg.va, pfn: pg.pfn, kind: 'vmalloc', what: a.caller });
		if (this.m.pkmap) {
			for (const s of this.m.pkmap.slots || [])
				out.push({ va: parseInt(s.addr, 16), pfn: parseInt(s.pfn, 16), kind: 'pkmap', what: `kmap slot ${s.slot}` });
			for (const c of this.m.pkmap.kmap_local || [])
				for (const m of c.maps || [])
					out.push({ va: parseInt(m.addr, 16), pfn: parseInt(m.pfn, 16), kind: 'pkmap', what: 'kmap_local' });
		}
		const p = this.proc();
		if (p) for (const pg of p.pages) if (pg.present) out.push({ va: pg.va, pfn: pg.pfn, kind: 'user', what: `process ${p.pid}` });
		return out;
	}

	drawLinks(ctx, g) {
		const L = this.m.layout;
		const y0 = g.vBottom, y1 = g.pTop;
		// the linear map: one band, physical = virtual - PAGE_OFFSET
		const vlo = L.PAGE_OFFSET, vhi = L.high_memory;
		if (vhi > this.v.lo && vlo < this.v.hi) {
			const a = Math.max(vlo, this.v.lo), b = Math.min(vhi, this.v.hi);
			const pa = (a - vlo) / PAGE_SIZE, pb = (b - vlo) / PAGE_SIZE;
			ctx.beginPath();
			ctx.moveTo(this.xv(a), y0);
			ctx.lineTo(this.xv(b), y0);
			ctx.lineTo(this.xp(pb), y1);
			ctx.lineTo(this.xp(pa), y1);
			ctx.closePath();
			ctx.fillStyle = LINK.linear;
			ctx.fill();
			ctx.strokeStyle = LINK.linearEdge;
			ctx.lineWidth = 1;
			ctx.beginPath();
			ctx.moveTo(this.xv(a), y0); ctx.lineTo(this.xp(pa), y1);
			ctx.moveTo(this.xv(b), y0); ctx.lineTo(this.xp(pb), y1);
			ctx.stroke();
			const mx = (this.xv(a) + this.xv(b) + this.xp(pa) + this.xp(pb)) / 4;
			const label = g.narrow ? 'linear map: phys = virt − PAGE_OFFSET' :
				`linear map: physical = virtual − PAGE_OFFSET (${hex(L.PAGE_OFFSET)})`;
			const w = ctx.measureText(label).width;
			if (Math.abs(this.xv(b) - this.xv(a)) > 60 || Math.abs(this.xp(pb) - this.xp(pa)) > 60) {
				const x = Math.max(g.ML + 2, Math.min(g.ML + g.plotW - w - 2, mx - w / 2));
				ctx.fillStyle = 'rgba(255,255,255,0.85)';
				ctx.fillRect(x - 3, (y0 + y1) / 2 - 9, w + 6, 16);
				ctx.fillStyle = '#4b2c7f';
				ctx.textBaseline = 'middle';
				ctx.fillText(label, x, (y0 + y1) / 2);
			}
		}
		// page by page: vmalloc, kmap, the process
		const links = this.links();
		let drawn = 0;
		ctx.lineWidth = 1;
		for (const l of links) {
			if (l.va < this.v.lo || l.va >= this.v.hi) continue;
			if (drawn++ > 6000) break;
			const xa = this.xv(l.va + PAGE_SIZE / 2);
			const xb = Math.max(g.ML, Math.min(g.ML + g.plotW, this.xp(l.pfn + 0.5)));
			ctx.strokeStyle = LINK[l.kind];
			ctx.beginPath();
			ctx.moveTo(xa, y0);
			ctx.bezierCurveTo(xa, (y0 + y1) / 2, xb, (y0 + y1) / 2, xb, y1);
			ctx.stroke();
		}
		this.drawnLinks = drawn;
	}

	// what the last operation touched: its lines wide and magenta, under
	// the others
	drawMarks(ctx, g) {
		const y0 = g.vBottom, y1 = g.pTop;
		ctx.strokeStyle = LINK.mark;
		ctx.lineWidth = 4;
		ctx.globalAlpha = 0.55;
		for (const mk of this.m.marks) {
			if (mk.va === undefined || mk.va < this.v.lo || mk.va >= this.v.hi) continue;
			const xa = this.xv(mk.va + PAGE_SIZE / 2);
			const xb = Math.max(g.ML, Math.min(g.ML + g.plotW, this.xp(mk.pfn + 0.5)));
			ctx.beginPath();
			ctx.moveTo(xa, y0);
			ctx.bezierCurveTo(xa, (y0 + y1) / 2, xb, (y0 + y1) / 2, xb, y1);
			ctx.stroke();
		}
		ctx.globalAlpha = 1;
		ctx.lineWidth = 1;
	}

	drawAxes(ctx, g) {
		ctx.fillStyle = '#333';
		ctx.font = `${g.narrow ? 10 : 11}px ui-monospace, SFMono-Regular, Menlo, monospace`;
		ctx.textBaseline = 'alphabetic';
		const lo = hex(this.v.lo), hi = hex(Math.min(FOUR_G, this.v.hi));
		ctx.fillText('virtual ' + lo, g.ML, g.vBottom + 13);
		const w = ctx.measureText(hi).width;
		ctx.fillText(hi, g.ML + g.plotW - w, g.vBottom + 13);
		const p = this.pRange();
		const plo = 'physical ' + shortSize(p.lo * PAGE_SIZE), phi = shortSize(p.hi * PAGE_SIZE);
		ctx.fillText(plo, g.ML, g.pTop - 4);
		ctx.fillText(phi, g.ML + g.plotW - ctx.measureText(phi).width, g.pTop - 4);
	}

	// --- text: the regions (which also zoom) and the mappings ------------------

	renderRegions() {
		const L = this.m.layout;
		const key = L.regions.map((r) => r.name + r.start).join();
		if (this.regionsEl.dataset.key !== key) {
			this.regionsEl.replaceChildren(...L.regions.filter((r) => r.name !== 'top').map((r) => {
				const st = REGION_STYLE[r.name] || { color: '#ccc', label: r.name };
				return el('li', {}, el('button', {
					type: 'button', class: 'region',
					onclick: () => this.zoomTo(r.start, r.end),
					'aria-label': `Zoom to ${st.label}: ${hex(r.start)} to ${hex(r.end)}, ${size(r.end - r.start)}. ${r.what}`,
				}, el('span', { class: 'chip', style: { background: st.color }, 'aria-hidden': 'true' }),
				el('span', { class: 'rname' }, r.name === 'hole' ? '8 MiB gap' : (st.short || st.label)),
				el('span', { class: 'rsize' }, size(r.end - r.start)),
				el('span', { class: 'raddr' }, `${hex(r.start)}`)));
			}));
			this.regionsEl.dataset.key = key;
		}
	}

	renderLinksText() {
		const L = this.m.layout;
		const items = [];
		items.push(`Linear map: ${hex(L.PAGE_OFFSET)}–${hex(L.high_memory)} (${size(L.high_memory - L.PAGE_OFFSET)}) ` +
			`maps physical 0–${hex(L.max_low_pfn * PAGE_SIZE)}, all of lowmem, at virtual = physical + ${hex(L.PAGE_OFFSET)}.`);
		for (const a of this.m.vmalloc) {
			const pfns = a.pageList.map((pg) => hex(pg.pfn, 5));
			items.push(`${a.caller} area ${hex(a.start)}–${hex(a.end)} (${size(a.size)} with its guard page): ` +
				(a.phys !== null ? `device memory at physical ${hex(a.phys)}` :
					`${plural(a.pages || 0, 'page')} on frame${pfns.length === 1 ? '' : 's'} ${pfns.slice(0, 16).join(', ')}${pfns.length > 16 ? ', …' : ''}`));
		}
		for (const s of (this.m.pkmap && this.m.pkmap.slots) || [])
			items.push(`kmap slot ${s.slot}: ${s.addr} maps frame ${s.pfn}.`);
		for (const c of (this.m.pkmap && this.m.pkmap.kmap_local) || [])
			for (const mm of c.maps || []) items.push(`kmap_local (CPU ${c.cpu}): ${mm.addr} maps frame ${mm.pfn}.`);
		const p = this.proc();
		if (p) {
			const present = p.pages.filter((x) => x.present);
			items.push(`Process ${p.pid}: ${plural(p.maps.length, 'VMA')}, ${plural(present.length, 'page')} present` +
				(present.length ? `: ${present.slice(0, 12).map((x) => `${hex(x.va)} → ${hex(x.pfn, 5)}`).join(', ')}${present.length > 12 ? ', …' : ''}` : '') + '.');
		}
		if (this.m.vmallocCapped) items.push('Only the first 1024 vmalloc pages are drawn (each costs a translate).');
		this.linksEl.replaceChildren(...items.map((t) => el('li', {}, t)));
		this.canvas.setAttribute('aria-label', `Virtual address space (top) mapped onto physical memory (bottom). ` +
			`Showing virtual ${hex(this.v.lo)} to ${hex(Math.min(FOUR_G - 1, this.v.hi))}. ` + items.slice(0, 4).join(' ') +
			' The list below the picture names every region and mapping.');
	}

	// --- pointing -----------------------------------------------------------

	describeVa(va) {
		const L = this.m.layout;
		const r = L.regions.find((x) => va >= x.start && va < x.end);
		const parts = [`${hex(va)} · ${r ? (REGION_STYLE[r.name] || { label: r.name }).label : '?'}`];
		if (r && r.name === 'lowmem') {
			const pfn = Math.floor((va - L.PAGE_OFFSET) / PAGE_SIZE);
			const run = this.m.runAt(pfn);
			parts.push(`→ frame ${hex(pfn, 5)}${run ? ': ' + runWords(run) : ''}`);
		}
		const a = this.m.vmalloc.find((x) => va >= x.start && va < x.end);
		if (a) {
			const pg = a.pageList.find((x) => va >= x.va && va < x.va + PAGE_SIZE);
			parts.push(`${a.caller} area ${hex(a.start)}–${hex(a.end)}` + (pg ? ` → frame ${hex(pg.pfn, 5)}` : va >= a.end - PAGE_SIZE ? ' (guard page)' : ''));
		}
		const p = this.proc();
		if (p && r && r.name === 'user') {
			const vma = p.maps.find((x) => va >= x.start && va < x.end);
			if (vma) parts.push(`VMA ${vma.line}`);
			const pg = p.pages.find((x) => va >= x.va && va < x.va + PAGE_SIZE);
			if (pg && pg.present) parts.push(`→ frame ${hex(pg.pfn, 5)} (${pg.zone})`);
		}
		return parts;
	}

	hover(e) {
		if (!this.geom) return;
		const at = this.at(e);
		let lines = null;
		if (at.strip === 'v') lines = this.describeVa(at.va);
		else if (at.strip === 'p') {
			const run = this.m.runAt(at.pfn);
			lines = [`frame ${hex(at.pfn, 5)} · ${hex(at.pfn * PAGE_SIZE)}`, run ? `${run.zone || 'no zone'} · ${runWords(run)}` : 'outside RAM'];
		}
		if (!lines || e.pointerType === 'touch') { this.tip.hidden = true; return; }
		this.tip.replaceChildren(...lines.map((l) => el('div', {}, l)));
		const wrap = this.canvas.parentElement.getBoundingClientRect();
		this.tip.hidden = false;
		let x = e.clientX - wrap.left + 14;
		if (x + this.tip.offsetWidth > wrap.width) x = Math.max(0, e.clientX - wrap.left - this.tip.offsetWidth - 10);
		this.tip.style.left = x + 'px';
		this.tip.style.top = (e.clientY - wrap.top + 14) + 'px';
	}

	click(e) {
		if (!this.geom) return;
		const at = this.at(e);
		if (at.strip === 'p') {
			this.cursor = at.pfn;
			this.bus.emit('select', at.pfn, this);
			this.bus.emit('describe', at.pfn);
			this.render();
		} else if (at.strip === 'v') {
			this.bus.emit('describe-va', at.va, this.describeVa(at.va));
		}
	}
}
