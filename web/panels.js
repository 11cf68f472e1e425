// panels.js - the allocators as tables and charts (buddy free areas,
// slab caches, vmalloc areas, pkmap slots, meminfo's key lines) and the
// processes with their VMAs and pages.

import { $, el, hex, size, plural, table, PAGE_SIZE } from './util.js';

const MEMINFO_KEYS = [
	['MemTotal', 'all RAM the kernel manages'], ['MemFree', 'free in the buddy allocator'],
	['LowTotal', 'lowmem: reachable through the linear map'], ['LowFree', ''],
	['HighTotal', 'HighMem: no permanent kernel address'], ['HighFree', ''],
	['Slab', 'slab pages (kmalloc and named caches)'], ['SUnreclaim', ''],
	['VmallocTotal', 'the vmalloc window'], ['VmallocUsed', 'pages mapped there'],
	['PageTables', 'user page tables'], ['AnonPages', 'processes\' anonymous pages'],
	['DirectMap4k', 'linear map in 4 KiB pages'], ['DirectMap4M', 'linear map in 4 MiB pages'],
	['DirectMap2M', 'linear map in 2 MiB pages'],
];

export class Allocators {
	constructor(root, machine, bus) {
		this.root = root;
		this.m = machine;
		this.showEmpty = $('#slab-all', root);
		this.showEmpty.addEventListener('change', () => this.render());
		this.bus = bus;
		this.visible = false;
	}

	async show(v) {
		this.visible = v;
		this.m.reportsWanted = v;
		if (!v) return;
		if (this.m.info && this.m.reportsGeneration !== this.m.generation) {
			try {
				await this.m.loadReports();
			} catch (e) {
				this.bus.emit('error', e);
			}
		}
		this.render();
	}

	render() {
		if (!this.m.frames || this.m.reportsGeneration < 0) return;
		this.renderMeminfo();
		this.renderBuddy();
		this.renderSlab();
		this.renderVmalloc();
		this.renderPkmap();
	}

	renderMeminfo() {
		const mi = this.m.meminfo;
		$('#meminfo', this.root).replaceChildren(...MEMINFO_KEYS.filter(([k]) => k in mi).map(([k, what]) =>
			el('div', { class: 'mi' }, el('dt', {}, k), el('dd', {},
				el('span', { class: 'mono' }, `${mi[k].toLocaleString('en')} kB`),
				what ? el('span', { class: 'what' }, what) : null))));
	}

	// buddyinfo as a chart: one bar per zone and order, log scale
	renderBuddy() {
		const zones = this.m.buddy;
		let max = 1;
		for (const z of zones) for (const n of z.free) max = Math.max(max, n);
		const orders = zones.length ? zones[0].free.length : 11;
		const head = [{ label: 'zone' }];
		for (let o = 0; o < orders; o++) head.push({ label: el('span', { title: `order ${o}: blocks of ${size((1 << o) * PAGE_SIZE)}` }, String(o)), num: true });
		head.push({ label: 'free', num: true });
		const rows = zones.map((z) => {
			const pages = z.free.reduce((a, n, o) => a + n * (1 << o), 0);
			return {
				attrs: { 'data-zone': z.zone },
				cells: [z.zone, ...z.free.map((n, o) => el('span', {
					class: 'bar-cell', 'aria-label': `${n} free block${n === 1 ? '' : 's'} of order ${o}`,
				}, el('span', { class: 'bar', style: { height: `${n ? 6 + 50 * Math.log2(1 + n) / Math.log2(1 + max) : 0}px` }, 'aria-hidden': 'true' }),
				el('span', { class: 'n' }, String(n)))), size(pages * PAGE_SIZE)],
			};
		});
		const t = table('Free blocks per zone and order (/proc/buddyinfo); bar height on a log scale', head, rows, { class: 'data buddy', rowHeaders: true });
		$('#buddy', this.root).replaceChildren(t);
	}

	renderSlab() {
		const all = this.showEmpty.checked;
		const caches = this.m.slab.filter((c) => all || c.num_objs > 0)
			.sort((a, b) => (b.pages || 0) - (a.pages || 0) || a.name.localeCompare(b.name));
		const rows = caches.map((c) => ({
			attrs: { 'data-cache': c.name },
			cells: [c.name, `${c.active_objs} / ${c.num_objs}`, c.objsize, c.objperslab, c.pagesperslab,
				c.num_slabs, c.pages, size((c.pages || 0) * PAGE_SIZE)],
		}));
		const t = table(`Slab caches (/proc/slabinfo)${all ? '' : ': those holding objects'}`,
			['cache', { label: 'objects in use / total', num: true }, { label: 'object size', num: true },
				{ label: 'per slab', num: true }, { label: 'pages per slab', num: true },
				{ label: 'slabs', num: true }, { label: 'pages', num: true }, { label: 'memory', num: true }],
			rows, { rowHeaders: true });
		const box = $('#slab', this.root);
		box.replaceChildren(rows.length ? t : el('p', { class: 'empty' }, 'No slab cache holds an object yet: run kmalloc from the console.'));
	}

	renderVmalloc() {
		const rows = this.m.vmalloc.map((a) => ({
			attrs: { 'data-start': hex(a.start) },
			cells: [`${hex(a.start)}–${hex(a.end)}`, size(a.size), a.pages ?? '', a.caller, (a.flags || []).join(' '),
				a.phys !== null ? `device ${hex(a.phys)}` :
					a.pageList.slice(0, 6).map((p) => hex(p.pfn, 5)).join(' ') + (a.pageList.length > 6 ? ' …' : '')],
		}));
		const t = table('vmalloc areas (/proc/vmallocinfo; sizes include the guard page)',
			['area', { label: 'size', num: true }, { label: 'pages', num: true }, 'caller', 'flags', 'frames'], rows, { rowHeaders: true });
		$('#vmalloc', this.root).replaceChildren(rows.length ? t : el('p', { class: 'empty' }, 'No vmalloc area yet: run vmalloc from the console.'));
	}

	renderPkmap() {
		const pk = this.m.pkmap;
		const box = $('#pkmap', this.root);
		if (!pk) { box.replaceChildren(); return; }
		const rows = (pk.slots || []).map((s) => [String(s.slot), s.addr, s.pfn, String(s.users)]);
		for (const c of pk.kmap_local || [])
			for (const mm of c.maps || []) rows.push([`local ${c.cpu}.${mm.idx}`, mm.addr, mm.pfn, mm.atomic ? 'atomic' : 'local']);
		box.replaceChildren(
			el('p', {}, `${pk.used} of ${pk.last_pkmap} pkmap slots in use from ${pk.pkmap_base}; the next scan starts at slot ${pk.last_pkmap_nr}.`),
			rows.length ? table('kmap slots and kmap_local stacks', ['slot', 'address', 'frame', { label: 'users', num: true }], rows)
				: el('p', { class: 'empty' }, 'Nothing kmapped: run kmap with a HighMem pfn.'));
	}
}

export class Processes {
	constructor(root, machine, bus, hooks) {
		this.root = root;
		this.m = machine;
		this.hooks = hooks;
		this.visible = false;
	}

	show(v) { this.visible = v; if (v) this.render(); }

	render() {
		const box = $('#procs', this.root);
		const procs = this.m.processes;
		if (!procs.length) {
			box.replaceChildren(el('p', { class: 'empty' }, 'No process yet: run process_create from the console, ' +
				'then mmap and access to fault pages in.'));
			return;
		}
		const list = table('Processes', ['pid', 'command', { label: 'resident pages', num: true },
			{ label: 'VMAs', num: true }, { label: 'page tables', num: true }, 'page directory', ''],
		procs.map((p) => [String(p.pid), p.comm, p.rss, p.vmas, p.page_tables, p.pgd,
			el('button', { type: 'button', 'aria-label': `Show process ${p.pid} in the virtual map`, onclick: () => this.hooks.showInMap(p.pid) }, 'Show in map')]),
		{ rowHeaders: true });
		const details = procs.map((p) => {
			const present = new Map(p.pages.filter((x) => x.present).map((x) => [x.va, x]));
			const rows = p.maps.map((v) => {
				let n = 0;
				for (const va of present.keys()) if (va >= v.start && va < v.end) n++;
				return {
					attrs: { 'data-vma': hex(v.start) },
					cells: [`${hex(v.start)}–${hex(v.end)}`, size(v.end - v.start), v.perms, v.name || '(anonymous)', n,
						el('button', { type: 'button', 'aria-label': `Walk ${hex(v.start)} through process ${p.pid}'s page tables`, onclick: () => this.hooks.translate(hex(v.start), p.pid) }, 'Walk')],
				};
			});
			const pages = [...present.values()].slice(0, 64).map((x) =>
				el('li', {}, `${hex(x.va)} → frame ${hex(x.pfn, 5)} (${x.zone}${x.zero_page ? ', the zero page' : ''}${x.writable ? '' : ', read-only'}, mapped ${x.mapcount}×)`));
			return el('section', { class: 'proc', 'aria-labelledby': `proc-${p.pid}-h` },
				el('h3', { id: `proc-${p.pid}-h` }, `Process ${p.pid} (${p.comm}), parent ${p.ppid ?? 0}`),
				el('div', { class: 'scroll' }, table(`/proc/${p.pid}/maps`, ['range', { label: 'size', num: true }, 'perms', 'mapping',
					{ label: 'pages present', num: true }, ''], rows, { rowHeaders: true })),
				pages.length ? el('details', {}, el('summary', {}, `${plural(present.size, 'page')} present (pagemap)`), el('ul', { class: 'pages' }, pages)) : null);
		});
		box.replaceChildren(el('div', { class: 'scroll' }, list), ...details);
	}
}
