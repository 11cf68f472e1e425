// util.js - small helpers shared by every part of the page: numbers as
// the API writes them, sizes, DOM building, and a tiny event bus.

export const PAGE_SIZE = 4096;

// The API writes addresses as "0x…" strings; physical ones may pass 32
// bits with PAE (36-bit), which a double still holds exactly.
export function num(v) {
	if (v === null || v === undefined) return NaN;
	if (typeof v === 'number') return v;
	const s = String(v).trim();
	if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s, 16);
	if (/^[0-9]+$/.test(s)) return parseInt(s, 10);
	return NaN;
}

export function hex(n, digits = 8) {
	if (!Number.isFinite(n)) return '?';
	return '0x' + Math.floor(n).toString(16).padStart(digits, '0');
}

// 0x1000 -> "4 KiB", 0x36bfe000 -> "875.99 MiB"
export function size(bytes) {
	if (!Number.isFinite(bytes)) return '?';
	const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
	let u = 0, v = bytes;
	while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
	if (u === 0) return `${v} bytes`;
	const s = Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1);
	return `${s} ${units[u]}`;
}

// a short axis label: 0, 512M, 1G, 1.5G, 12K
export function shortSize(bytes) {
	if (bytes === 0) return '0';
	const units = [['G', 2 ** 30], ['M', 2 ** 20], ['K', 1024]];
	for (const [u, m] of units) {
		if (bytes >= m) {
			const v = bytes / m;
			// 1.5G, not 1.50G
			return (Number.isInteger(v) ? v : String(+v.toFixed(v < 10 ? 2 : 1))) + u;
		}
	}
	return String(bytes);
}

export function plural(n, one, many = one + 's') {
	return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

// el('div', {class: 'x', onclick: f}, 'text', child, ...)
export function el(tag, attrs = {}, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false) continue;
		if (k.startsWith('on') && typeof v === 'function')
			e.addEventListener(k.slice(2), v);
		else if (k === 'class') e.className = v;
		else if (k === 'text') e.textContent = v;
		else if (k === 'style' && typeof v === 'object') Object.assign(e.style, v);
		else if (v === true) e.setAttribute(k, '');
		else e.setAttribute(k, v);
	}
	for (const c of children.flat()) {
		if (c === null || c === undefined || c === false) continue;
		e.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return e;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// A table from rows of cells; headers are <th scope=col>.
export function table(caption, headers, rows, opts = {}) {
	const t = el('table', { class: opts.class || 'data' });
	if (caption) t.append(el('caption', {}, caption));
	const thead = el('thead', {}, el('tr', {}, headers.map((h) =>
		el('th', { scope: 'col', class: h.num ? 'num' : null }, h.label ?? h))));
	const tbody = el('tbody');
	for (const r of rows) {
		tbody.append(el('tr', r.attrs || {}, (r.cells || r).map((c, i) => {
			const isNum = headers[i] && headers[i].num;
			if (c instanceof Node) return el('td', { class: isNum ? 'num' : null }, c);
			return el(i === 0 && opts.rowHeaders ? 'th' : 'td',
				{ class: isNum ? 'num' : null, scope: i === 0 && opts.rowHeaders ? 'row' : null },
				c ?? '');
		})));
	}
	t.append(thead, tbody);
	return t;
}

export class Bus {
	constructor() { this.h = new Map(); }
	on(ev, f) { (this.h.get(ev) || this.h.set(ev, []).get(ev)).push(f); }
	emit(ev, ...a) { for (const f of this.h.get(ev) || []) f(...a); }
}

// The canvas's backing store at the device's pixel ratio; returns the
// 2D context scaled so that drawing uses CSS pixels.
export function fitCanvas(canvas, cssW, cssH) {
	const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
	const w = Math.max(1, Math.round(cssW * dpr));
	const h = Math.max(1, Math.round(cssH * dpr));
	if (canvas.width !== w || canvas.height !== h) {
		canvas.width = w;
		canvas.height = h;
	}
	canvas.style.height = cssH + 'px';
	const ctx = canvas.getContext('2d');
	ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
	return ctx;
}

export function reducedMotion() {
	return window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

export function debounce(f, ms) {
	let t = 0;
	return (...a) => { clearTimeout(t); t = setTimeout(() => f(...a), ms); };
}
