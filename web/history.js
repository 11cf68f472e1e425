// history.js - the Timeline tab: the machine's changes in order with what
// each answered (GET /history), a slider to read a report as it was at
// any generation kept (?at=), and undo (POST /undo) back to one.

import { $, el } from './util.js';

const REPORTS = ['buddyinfo', 'meminfo', 'zoneinfo', 'slabinfo', 'vmallocinfo', 'pagetypeinfo', 'iomem'];

// what a change answered, in a line: the fields a student looks for first
function gist(e) {
	if (e.problem) return `refused: ${e.problem.detail || e.problem.title || ''}`;
	const r = e.result;
	if (!r || typeof r !== 'object') return '';
	if (e.op === 'undo') return `back to generation ${r.to} (from ${r.from})`;
	return ['addr', 'pfn', 'zone', 'cache', 'pid', 'outcome']
		.filter((k) => r[k] !== undefined && r[k] !== null)
		.map((k) => `${k} ${r[k]}`).join(', ');
}

export class Timeline {
	constructor(root, machine, bus, client, toast) {
		this.root = root;
		this.m = machine;
		this.bus = bus;
		this.client = client;
		this.toast = toast;
		this.visible = false;
		this.readOnly = false;	// the instructor token: undo would be 403
		this.shown = -1;	// the generation the list shows
		this.data = null;
		this.slider = $('#hist-at', root);
		this.report = $('#hist-report', root);
		this.report.replaceChildren(...REPORTS.map((r) => el('option', { value: r }, `/proc/${r}`)));
		this.slider.addEventListener('input', () => this.scrub());
		this.report.addEventListener('change', () => this.scrub());
		$('#hist-undo1', root).addEventListener('click', () => this.undo({ ops: 1 }));
		$('#hist-back', root).addEventListener('click', () => this.undo({ to: Number(this.slider.value) }));
	}

	async show(v) {
		this.visible = v;
		if (!v || !this.m.info || this.shown === this.m.generation) return;
		try {
			await this.load();
		} catch (e) {
			this.bus.emit('error', e);
		}
	}

	// the last page of the history (its newest 100 changes)
	async load() {
		const first = await this.client.get('/history?limit=1');
		const g = first.data.generation, oldest = first.data.oldest;
		const from = Math.max(oldest + 1, g - 99);
		const r = await this.client.get(`/history?from=${from}&limit=100`);
		this.data = r.data;
		this.shown = r.data.generation;
		this.slider.min = String(r.data.oldest);
		this.slider.max = String(r.data.generation);
		this.slider.value = String(r.data.generation);
		this.slider.disabled = r.data.generation === r.data.oldest;
		$('#hist-since', this.root).textContent =
			`Generation ${r.data.generation}; the history starts at generation ${r.data.oldest} (the machine's ${r.data.since}).`;
		this.renderList();
		await this.scrub();
	}

	renderList() {
		const d = this.data;
		const items = d.entries.slice().reverse().map((e) =>
			el('li', {},
				el('button', { type: 'button', class: 'link', 'data-gen': String(e.generation),
					onclick: () => { this.slider.value = String(e.generation); this.scrub(); } },
					`${e.generation}`),
				' ',
				el('code', {}, `${e.op} ${JSON.stringify(e.args)}`),
				el('span', { class: 'what' }, ` ${gist(e)}`)));
		if (!items.length) items.push(el('li', {}, 'No change since then.'));
		$('#hist-list', this.root).replaceChildren(...items);
	}

	// the report as it was at the slider's generation
	async scrub() {
		const g = Number(this.slider.value);
		const now = this.data ? this.data.generation : this.m.generation;
		$('#hist-at-out', this.root).textContent = g === now ? `${g} (now)` : String(g);
		$('#hist-back', this.root).disabled = this.readOnly || g >= now;
		$('#hist-undo1', this.root).disabled = this.readOnly || !this.data || now === this.data.oldest;
		const rep = this.report.value;
		try {
			const r = await this.client.get(`/proc/${rep}?at=${g}`, { accept: 'text/plain' });
			if (Number(this.slider.value) !== g || this.report.value !== rep) return;
			$('#hist-text', this.root).textContent = r.text;
			$('#hist-text-l', this.root).textContent = `/proc/${rep} at generation ${g}`;
		} catch (e) {
			this.bus.emit('error', e);
		}
	}

	// The instructor token reads the timeline and undoes nothing.
	setReadOnly(on) {
		this.readOnly = on;
		$('#hist-ro', this.root).hidden = !on;
		if (on) for (const id of ['#hist-back', '#hist-undo1']) $(id, this.root).disabled = true;
		else if (this.data) this.scrub();
	}

	async undo(body) {
		try {
			const r = await this.client.post('/undo', body);
			this.toast(`Undone: generation ${r.data.generation} is the machine as it was at generation ${r.data.undo.to}.`);
			await this.m.changed();	// a visible tab reloads on the new data
			if (this.visible && this.shown !== this.m.generation) await this.load();
		} catch (e) {
			this.bus.emit('error', e);
		}
	}
}
