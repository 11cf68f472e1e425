// machine.js - one open machine as the page knows it: its layout, its
// frames, its allocators and processes, and who maps each frame; kept
// fresh by polling the machine's generation with If-None-Match.

import { num, PAGE_SIZE } from './util.js';
import { runKind, zoneKind } from './kinds.js';
import { stats } from './api.js';

const POLL_MS = 500;
const MAX_VMALLOC_TRANSLATES = 1024;	// pages of vmalloc areas drawn per refresh

export function parseLayout(l) {
	const o = { raw: l, pae: !!l.pae, vmsplit: l.vmsplit };
	for (const k of ['PAGE_OFFSET', 'high_memory', 'VMALLOC_START', 'VMALLOC_END', 'PKMAP_BASE',
		'LDT_BASE_ADDR', 'LDT_END_ADDR', 'CPU_ENTRY_AREA_BASE', 'FIXADDR_START', 'FIXADDR_TOP',
		'FIXADDR_TOT_START', 'max_pfn', 'max_low_pfn', 'highstart_pfn', 'highend_pfn', 'PMD_SIZE'])
		o[k] = num(l[k]);
	o.LAST_PKMAP = l.LAST_PKMAP;
	o.regions = (l.regions || []).map((r) => ({ ...r, start: num(r.start), end: num(r.end) }));
	return o;
}

// "08048000-08049000 r-xp 00000000 00:02 12   /bin/busybox"
export function parseMapsLine(line) {
	const m = line.match(/^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+)\s*(.*)$/i);
	if (!m) return null;
	return { start: parseInt(m[1], 16), end: parseInt(m[2], 16), perms: m[3], offset: m[4], name: m[7].trim(), line };
}

export class Machine {
	constructor(client, bus) {
		this.client = client;
		this.bus = bus;
		this.reset();
	}

	reset() {
		this.info = null;		// GET /v1/machines/{id}
		this.layout = null;
		this.generation = -1;	// what the data below shows
		this.etag = null;		// of the last machine GET
		this.memblock = [];
		this.frames = null;
		this.buddy = [];
		this.slab = [];
		this.vmalloc = [];
		this.pkmap = null;
		this.meminfo = {};
		this.processes = [];
		this.reportsGeneration = -1;
		this.rmap = new Map();	// pfn -> [{va, how, pid?}] beyond the linear map
		this.marks = [];		// frames the last operation touched: {pfn, n, label}
		this.stopPolling();
		this.lastError = null;
		this.refreshing = null;
		this.vmallocCapped = false;
	}

	get id() { return this.client.id; }

	async open(id, token) {
		this.reset();
		this.client.id = id;
		this.client.token = token;
		const r = await this.client.get('');
		this.setInfo(r.data, r.etag);
		const mb = await this.client.get('/proc/memblock');
		this.memblock = (mb.data.reserved || []).map((x) => ({
			name: x.name, start: num(x.start), end: num(x.end) + 1,
		})).sort((a, b) => (a.end - a.start) - (b.end - b.start));
		await this.refresh();
		this.startPolling();
	}

	setInfo(info, etag) {
		this.info = info;
		this.etag = etag;
		if (info.layout) this.layout = parseLayout(info.layout);
	}

	// --- live ------------------------------------------------------------------

	startPolling() {
		this.stopPolling();
		this.polling = true;
		const tick = async () => {
			if (!this.polling) return;
			if (!document.hidden && !this.refreshing) {
				try {
					await this.poll();
					if (this.lastError) { this.lastError = null; this.bus.emit('error', null); }
				} catch (e) {
					this.lastError = e;
					this.bus.emit('error', e, 'live');
					if (e.status === 404) { this.polling = false; return; }
				}
			}
			this.timer = setTimeout(tick, this.lastError && this.lastError.status === 429 ? 2000 : POLL_MS);
		};
		this.timer = setTimeout(tick, POLL_MS);
	}

	stopPolling() {
		this.polling = false;
		clearTimeout(this.timer);
	}

	// One cheap question: has the generation moved?  304 when it has not.
	async poll() {
		const r = await this.client.get('', { etag: this.etag, poll: true });
		this.bus.emit('poll', r.status);
		if (r.status === 304) return false;
		const before = this.etag;
		this.setInfo(r.data, r.etag);
		if (r.data.generation !== this.generation || this.stale) {
			try {
				await this.refresh();
			} catch (e) {
				this.etag = before;	// so that the next poll tries again
				throw e;
			}
		}
		return true;
	}

	// After our own change: look now rather than at the next tick.
	async changed() {
		try { await this.poll(); } catch (e) { this.bus.emit('error', e, 'live'); }
	}

	// --- everything the views draw ---------------------------------------------

	// Read what the views draw.  Whether the machine moved meanwhile is
	// the next poll's question: it asks with the ETag this refresh began
	// from, so a change made during the reading is read again at once.
	async refresh() {
		if (this.refreshing) { this.again = true; return this.refreshing; }
		this.refreshing = (async () => {
			do {
				this.again = false;
				await this.load();
			} while (this.again);
			this.generation = this.info.generation;
			this.stale = false;
		})();
		try {
			await this.refreshing;
		} finally {
			this.refreshing = null;
		}
		this.bus.emit('data', this);
	}

	// buddyinfo, slabinfo and meminfo only feed the allocators view: read
	// them when it is open, or when it opens on data they have not seen
	async loadReports() {
		const c = this.client;
		const [buddy, slab, meminfo] = await Promise.all([
			c.get('/proc/buddyinfo'), c.get('/proc/slabinfo'), c.get('/proc/meminfo')]);
		this.buddy = buddy.data;
		this.slab = slab.data;
		this.meminfo = meminfo.data;
		this.reportsGeneration = this.info.generation;
	}

	async load() {
		const c = this.client;
		const [frames, vmalloc, first] = await Promise.all([
			this.loadFrames(),
			c.get('/proc/vmallocinfo').then((r) => r.data),
			c.batch([{ op: 'processes' }, { op: 'pkmap' }]),
			this.reportsWanted ? this.loadReports() : null,
		]);
		const procs = first[0].result.processes || [];
		const pkmap = first[1].result;
		// second round: each process's maps and pages, each vmalloc page's frame
		const ops = [];
		for (const p of procs) {
			ops.push({ op: 'maps', args: { pid: p.pid } });
			ops.push({ op: 'pagemap', args: { pid: p.pid } });
		}
		const areas = vmalloc.map((a) => ({
			...a, start: num(a.start), end: num(a.end), phys: a.phys ? num(a.phys) : null, pageList: [],
		}));
		let budget = MAX_VMALLOC_TRANSLATES;
		const tx = [];
		this.vmallocCapped = false;
		for (const a of areas) {
			const n = a.phys !== null ? Math.max(0, (a.size - PAGE_SIZE) / PAGE_SIZE) : a.pages || 0;
			if (a.phys !== null) {
				for (let i = 0; i < n; i++)
					a.pageList.push({ va: a.start + i * PAGE_SIZE, pfn: Math.floor(a.phys / PAGE_SIZE) + i });
				continue;
			}
			for (let i = 0; i < n; i++) {
				if (budget-- <= 0) { this.vmallocCapped = true; break; }
				tx.push([a, a.start + i * PAGE_SIZE]);
				ops.push({ op: 'translate', args: { addr: '0x' + (a.start + i * PAGE_SIZE).toString(16) } });
			}
		}
		const second = ops.length ? await c.batch(ops) : [];
		let k = 0;
		for (const p of procs) {
			const maps = second[k++];
			const pm = second[k++];
			p.maps = maps && maps.result ? (maps.result.lines || []).map(parseMapsLine).filter(Boolean) : [];
			p.pages = pm && pm.result ? (pm.result.pages || []).map((x) => ({
				...x, va: num(x.addr), pfn: num(x.pfn),
			})) : [];
		}
		for (const [a, va] of tx) {
			const t = second[k++];
			if (t && t.result && t.result.ok)
				a.pageList.push({ va, pfn: Math.floor(num(t.result.phys) / PAGE_SIZE) });
		}
		this.frames = frames;
		this.vmalloc = areas;
		this.pkmap = pkmap;
		this.processes = procs;
		this.buildRmap();
	}

	async loadFrames() {
		const runs = [];
		let start = 0, maxPfn = 0;
		for (let i = 0; i < 64; i++) {
			const r = await this.client.get(`/frames?start=0x${start.toString(16)}`);
			maxPfn = num(r.data.max_pfn);
			for (const x of r.data.runs) {
				const run = {
					pfn: num(x.pfn), n: x.n, state: x.state, zone: x.zone, order: x.order,
					migratetype: x.migratetype, owner: x.owner, owner_id: x.owner_id,
					cache: x.cache, pid: x.pid,
				};
				if (run.state === 'reserved') runs.push(...this.splitReserved(run));
				else runs.push(run);
			}
			// "next" says where to go on past the run limit; past the
			// 1048576-frame limit of one answer (PAE RAM above 4 GiB) it
			// is null too, so go on from the end of what was answered
			if (r.data.next !== null && r.data.next !== undefined) start = num(r.data.next);
			else if (num(r.data.start) + r.data.count < maxPfn) start = num(r.data.start) + r.data.count;
			else break;
		}
		const starts = new Float64Array(runs.length);
		runs.forEach((r, i) => {
			r.kind = runKind(r);
			r.zkind = zoneKind(r);
			starts[i] = r.pfn;
		});
		const end = runs.length ? runs[runs.length - 1].pfn + runs[runs.length - 1].n : 0;
		return { runs, starts, maxPfn, end };
	}

	// A reserved run cut where memblock's reservations say what it holds
	// (the frames route says only "reserved"); the smallest region wins.
	splitReserved(run) {
		const lo = run.pfn, hi = run.pfn + run.n;
		const regs = this.memblock.map((m) => ({
			name: m.name, lo: Math.floor(m.start / PAGE_SIZE), hi: Math.ceil(m.end / PAGE_SIZE),
		})).filter((m) => m.lo < hi && m.hi > lo);
		if (!regs.length) return [run];
		const cuts = new Set([lo, hi]);
		for (const m of regs) { cuts.add(Math.max(lo, m.lo)); cuts.add(Math.min(hi, m.hi)); }
		const pts = [...cuts].sort((a, b) => a - b);
		const out = [];
		for (let i = 0; i + 1 < pts.length; i++) {
			const a = pts[i], b = pts[i + 1];
			const m = regs.find((x) => x.lo <= a && x.hi >= b);	// sorted smallest first
			const why = m ? m.name : null;
			const prev = out[out.length - 1];
			if (prev && prev.why === why) prev.n += b - a;
			else out.push({ ...run, pfn: a, n: b - a, why });
		}
		return out;
	}

	buildRmap() {
		const rm = new Map();
		const add = (pfn, e) => {
			const l = rm.get(pfn);
			if (l) l.push(e); else rm.set(pfn, [e]);
		};
		for (const a of this.vmalloc)
			for (const p of a.pageList) add(p.pfn, { va: p.va, how: `${a.caller} area` });
		if (this.pkmap) {
			for (const s of this.pkmap.slots || [])
				add(num(s.pfn), { va: num(s.addr), how: `kmap (pkmap slot ${s.slot})` });
			for (const c of this.pkmap.kmap_local || [])
				for (const m of c.maps || [])
					add(num(m.pfn), { va: num(m.addr), how: `${m.atomic ? 'kmap_atomic' : 'kmap_local'} (CPU ${c.cpu}, fixmap)` });
		}
		for (const p of this.processes)
			for (const pg of p.pages || [])
				if (pg.present) add(pg.pfn, { va: pg.va, how: `process ${p.pid}${pg.zero_page ? ' (the zero page)' : ''}`, pid: p.pid });
		this.rmap = rm;
	}

	// --- questions the views ask -----------------------------------------------

	runAt(pfn) {
		const f = this.frames;
		if (!f || !f.runs.length) return null;
		let lo = 0, hi = f.runs.length - 1;
		while (lo < hi) {
			const mid = (lo + hi + 1) >> 1;
			if (f.starts[mid] <= pfn) lo = mid; else hi = mid - 1;
		}
		const r = f.runs[lo];
		return pfn >= r.pfn && pfn < r.pfn + r.n ? r : null;
	}

	isLowmem(pfn) {
		return this.layout && pfn < this.layout.max_low_pfn;
	}

	// Every virtual address that maps the frame: the linear map for lowmem,
	// then vmalloc, pkmap, kmap_local and process pages.
	mappings(pfn) {
		const out = [];
		const L = this.layout;
		if (L && pfn < L.max_low_pfn)
			out.push({ va: L.PAGE_OFFSET + pfn * PAGE_SIZE, how: 'the linear map (PAGE_OFFSET + physical)' });
		for (const e of this.rmap.get(pfn) || []) out.push(e);
		return out;
	}

	zoneSpans() {
		const spans = new Map();
		for (const r of this.frames ? this.frames.runs : []) {
			if (!r.zone) continue;
			const s = spans.get(r.zone);
			if (!s) spans.set(r.zone, { zone: r.zone, lo: r.pfn, hi: r.pfn + r.n });
			else { s.lo = Math.min(s.lo, r.pfn); s.hi = Math.max(s.hi, r.pfn + r.n); }
		}
		return [...spans.values()];
	}
}

export { stats };
