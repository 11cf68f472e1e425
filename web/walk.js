// walk.js - the translate panel: an address split into its index bits,
// then the MMU's walk one step at a time (table, index, entry, flag
// bits), ending in the frame or in the fault and why.

import { $, el, hex, size, reducedMotion, PAGE_SIZE } from './util.js';
import { runWords } from './kinds.js';
import { curlFor } from './api.js';

const FLAG_HELP = {
	P: 'present: the entry points somewhere',
	RW: 'writable (clear: read-only, for the kernel too since CR0.WP is set)',
	US: 'user: code in ring 3 may use it (clear: kernel only)',
	PWT: 'write-through caching',
	PCD: 'cache disabled (device memory)',
	A: 'accessed: the CPU has used this entry',
	D: 'dirty: the CPU has written through it',
	PS: 'page size: a large page, the walk ends here',
	PAT: 'page attribute table index bit',
	G: 'global: kept in the TLB when CR3 changes',
	NX: 'no execute: an instruction fetch faults',
};
const FLAGS_2L = ['P', 'RW', 'US', 'PWT', 'PCD', 'A', 'D', 'PS', 'G'];
const FLAGS_PAE = [...FLAGS_2L, 'NX'];

const LEVEL_NAME = {
	pgd: (pae) => pae ? 'page directory pointer table (PDPT, the pgd)' : 'page directory (pgd)',
	pmd: () => 'page middle directory (pmd)',
	pte: () => 'page table (pte)',
};

const CODE_BITS = {
	PROT: 'protection: the page was present',
	WRITE: 'a write',
	USER: 'from user mode',
	RSVD: 'a reserved bit was set in an entry',
	INSTR: 'an instruction fetch',
};

// Which bits of the address each level indexes.
function fields(pae, leafLevel) {
	const f = pae
		? [{ level: 'pgd', hi: 31, lo: 30 }, { level: 'pmd', hi: 29, lo: 21 }, { level: 'pte', hi: 20, lo: 12 }]
		: [{ level: 'pgd', hi: 31, lo: 22 }, { level: 'pte', hi: 21, lo: 12 }];
	const out = [];
	for (const x of f) {
		out.push(x);
		if (x.level === leafLevel) break;
	}
	const last = out[out.length - 1];
	out.push({ level: 'offset', hi: last.lo - 1, lo: 0 });
	return out;
}

export class WalkView {
	constructor(root, machine, bus, client, onCopy) {
		this.root = root;
		this.m = machine;
		this.bus = bus;
		this.client = client;
		this.onCopy = onCopy;
		this.form = $('#walk-form', root);
		this.out = $('#walk-out', root);
		this.procSel = $('#walk-pid', root);
		this.timer = 0;
		this.form.addEventListener('submit', (e) => { e.preventDefault(); this.run(); });
		bus.on('walk', (w, args) => this.show(w, args));
		bus.on('data', () => this.syncProcs());
	}

	syncProcs() {
		const procs = this.m.processes;
		const cur = this.procSel.value;
		const want = procs.map((p) => p.pid).join(',');
		if (this.procSel.dataset.pids === want) return;
		this.procSel.replaceChildren(el('option', { value: '' }, 'the kernel (swapper_pg_dir)'),
			...procs.map((p) => el('option', { value: String(p.pid) }, `process ${p.pid} (${p.comm})`)));
		this.procSel.dataset.pids = want;
		if ([...this.procSel.options].some((o) => o.value === cur)) this.procSel.value = cur;
	}

	prefill(addr, pid) {
		$('#walk-addr', this.root).value = addr;
		this.syncProcs();
		this.procSel.value = pid ? String(pid) : '';
	}

	args() {
		const a = { addr: $('#walk-addr', this.root).value.trim() };
		if (this.procSel.value) a.pid = Number(this.procSel.value);
		const acc = $('#walk-access', this.root).value;
		if (acc) a.access = acc;
		const mode = $('#walk-mode', this.root).value;
		if (mode) a.mode = mode;
		return a;
	}

	async run() {
		const args = this.args();
		if (!args.addr) {
			this.out.replaceChildren(el('p', { class: 'error', role: 'alert' }, 'Type a virtual address first, such as 0xc2001000.'));
			return;
		}
		const q = new URLSearchParams(Object.entries(args).map(([k, v]) => [k, String(v)]));
		const path = `/translate?${q}`;
		try {
			const r = await this.client.get(path);
			this.show(r.data, args, curlFor('GET', this.client.machinePath(path)));
		} catch (e) {
			this.out.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
		}
	}

	show(w, args = {}, curl = null) {
		clearTimeout(this.timer);
		const pae = this.m.layout ? this.m.layout.pae : w.steps.some((s) => s.level === 'pmd');
		const leaf = w.steps.find((s) => s.leaf);
		const fs = fields(pae, leaf ? leaf.level : 'pte');
		const addr = parseInt(w.addr, 16);
		const bits = addr.toString(2).padStart(32, '0');

		const split = el('div', { class: 'bits', role: 'group', 'aria-label': `The address ${w.addr} split into its index bits` },
			fs.map((f) => {
				const n = f.hi - f.lo + 1;
				const v = Math.floor(addr / 2 ** f.lo) % 2 ** n;
				const label = f.level === 'offset' ? 'offset' : `${f.level} index`;
				return el('div', { class: `field lv-${f.level}`, style: { flexGrow: String(n) } },
					el('div', { class: 'fbits', 'aria-hidden': 'true' }, bits.slice(31 - f.hi, 32 - f.lo)),
					el('div', { class: 'fname' }, `${label} `, el('strong', {}, f.level === 'offset' ? hex(v, 1) : String(v))),
					el('div', { class: 'frange' }, `bits ${f.hi}–${f.lo}`));
			}));

		const steps = el('ol', { class: 'steps', 'aria-live': 'polite' });
		const cards = w.steps.map((s, i) => this.stepCard(s, i, pae, w));
		cards.push(this.endCard(w, pae, leaf));

		const controls = el('div', { class: 'walk-controls' },
			el('button', { type: 'button', onclick: () => this.next(steps, cards) }, 'Next step'),
			el('button', { type: 'button', onclick: () => this.play(steps, cards, true) }, 'Replay'),
			el('button', { type: 'button', onclick: () => { clearTimeout(this.timer); steps.replaceChildren(...cards); } }, 'Show all'),
			curl ? el('button', { type: 'button', onclick: () => this.onCopy(curl) }, 'Copy as curl') : null);

		const who = args.pid ? `process ${args.pid}'s page tables` : 'the kernel\'s page tables (swapper_pg_dir)';
		this.out.replaceChildren(
			el('h3', {}, `Walking ${w.addr} through ${who}`, args.access ? ` for a ${args.access}` : ''),
			el('p', { class: 'hint' }, `CR3 = ${w.cr3}: the CPU starts from the ${pae ? 'PDPT' : 'page directory'} there. ` +
				(pae ? 'PAE: three levels, 8-byte entries.' : 'Two levels, 4-byte entries.')),
			split, controls, steps);
		this.out.dataset.addr = w.addr;
		this.play(steps, cards, false);
	}

	next(steps, cards) {
		clearTimeout(this.timer);
		if (steps.children.length < cards.length) steps.append(cards[steps.children.length]);
	}

	play(steps, cards, restart) {
		clearTimeout(this.timer);
		if (restart) steps.replaceChildren();
		if (reducedMotion() && !restart) { steps.replaceChildren(...cards); return; }
		const tick = () => {
			if (steps.children.length >= cards.length) return;
			const c = cards[steps.children.length];
			c.classList.add('appear');
			steps.append(c);
			this.timer = setTimeout(tick, 700);
		};
		tick();
	}

	stepCard(s, i, pae, w) {
		const esize = pae ? 8 : 4;
		const n = pae ? (s.level === 'pgd' ? 4 : 512) : 1024;
		const present = new Set(s.flags);
		const all = pae ? FLAGS_PAE : FLAGS_2L;
		const extra = s.flags.filter((f) => !all.includes(f));
		const flags = el('ul', { class: 'flags', 'aria-label': 'flag bits' },
			[...all, ...extra].map((f) => el('li', {
				class: present.has(f) ? 'on' : 'off', title: FLAG_HELP[f] || f,
			}, el('span', { class: 'sr-only' }, present.has(f) ? 'set: ' : 'clear: '), f)));
		const entry = BigInt(s.entry);
		const frameMask = pae ? 0xffffff000n : 0xfffff000n;
		let outcome;
		if (!s.present) outcome = el('p', { class: 'stop' }, 'Not present (P clear): the walk stops here.');
		else if (s.leaf) {
			const ps = s.level === 'pte' ? PAGE_SIZE : (pae ? 2 * 1024 * 1024 : 4 * 1024 * 1024);
			const base = s.level === 'pte' ? entry & frameMask : entry & (pae ? 0xfffe00000n : 0xffc00000n);
			outcome = el('p', { class: 'go' }, `Leaf: a ${size(ps)} page at physical ${hex(Number(base))}` +
				(s.level !== 'pte' ? ' (PS set: no page table below)' : '') + '.');
		} else {
			outcome = el('p', { class: 'go' }, `Next table at physical ${hex(Number(entry & frameMask))}.`);
		}
		return el('li', { class: `step lv-${s.level}` },
			el('h4', {}, `Step ${i + 1}: the ${LEVEL_NAME[s.level] ? LEVEL_NAME[s.level](pae) : s.level}`),
			el('dl', { class: 'kv' },
				el('dt', {}, 'table'), el('dd', {}, `${s.table}${i === 0 ? ' (from CR3)' : ''}`),
				el('dt', {}, 'index'), el('dd', {}, `${s.index} of ${n} `,
					el('span', { class: 'tablebar', 'aria-hidden': 'true' },
						el('span', { class: 'idx', style: { left: `${(s.index + 0.5) / n * 100}%` } }))),
				el('dt', {}, 'entry address'), el('dd', {}, `${s.table} + ${s.index} × ${esize} = ${s.entry_addr}`),
				el('dt', {}, 'entry'), el('dd', { class: 'mono' }, s.entry)),
			flags, outcome);
	}

	endCard(w, pae, leaf) {
		if (w.ok) {
			const phys = parseInt(w.phys, 16);
			const pfn = Math.floor(phys / PAGE_SIZE);
			const run = this.m.runAt(pfn);
			const kids = [
				el('h4', {}, `Physical address ${w.phys}`),
				el('p', {}, `Frame ${hex(pfn, 5)}${run ? ` in zone ${run.zone || 'none'}: ${runWords(run)}` : ''}.`),
			];
			if (w.linear_pa && this.m.layout)
				kids.push(el('p', { class: 'hint' }, `The linear map's arithmetic agrees: ${w.addr} − PAGE_OFFSET ` +
					`${hex(this.m.layout.PAGE_OFFSET)} = ${w.linear_pa}.`));
			kids.push(el('button', { type: 'button', onclick: () => this.bus.emit('show-frame', pfn) }, 'Show this frame in the physical map'));
			return el('li', { class: 'step end ok', 'data-phys': w.phys }, ...kids);
		}
		const f = w.fault || {};
		const bits = (f.bits || []).map((b) => `${b} (${CODE_BITS[b] || b})`);
		return el('li', { class: 'step end fault' },
			el('h4', {}, 'Page fault'),
			el('p', {}, `${f.reason ? f.reason.charAt(0).toUpperCase() + f.reason.slice(1) : 'The walk failed'}` +
				` (at the ${f.level || '?'} level).`),
			el('p', {}, `Error code ${f.error_code}${bits.length ? ': ' + bits.join(', ') : ': a read of a page that is not present, from the kernel'}.`),
			w.linear_pa ? el('p', { class: 'hint' }, `(Through the linear map this address would be ${w.linear_pa}.)`) : null);
	}
}
