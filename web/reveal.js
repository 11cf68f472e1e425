// reveal.js - an exercise's reveal on the views: the operations the
// machine ran, one at a time (a translate drawn as the page walk, an
// allocation's frames lit up on the maps), each with its copy-as-curl,
// then the key and the reasoning field by field.

import { el, hex, reducedMotion } from './util.js';
import { curlFor } from './api.js';

const STEP_MS = 900;	// between two operations; a walk gets three

export class RevealView {
	// app: {client, machine, bus, console, walk, selectTab, copy, docked}
	constructor(app) {
		this.app = app;
		this.timer = 0;
		this.graded = null;	// the last grading, to say what was given
	}

	stop() {
		clearTimeout(this.timer);
	}

	// The operations one at a time, each drawn on the views; then the key
	// and why, field by field.
	show(out, rv, animate, graded = null) {
		this.stop();
		this.graded = graded;
		const ops = rv.ops || [];
		const list = el('ol', { class: 'rv-ops', id: 'ex-ops', 'aria-live': 'polite', 'aria-labelledby': 'ex-rv-h' });
		const items = ops.map((o, i) => this.opItem(o, i));
		const key = this.keyView(rv);
		out.replaceChildren(
			el('h3', { id: 'ex-rv-h' }, `Revealed: the ${ops.length} operation${ops.length === 1 ? '' : 's'} the machine ran`),
			el('div', { class: 'ex-actions' },
				el('button', { type: 'button', onclick: () => this.show(out, rv, true, graded) }, 'Replay'),
				el('button', { type: 'button', onclick: () => { this.stop(); list.replaceChildren(...items); this.drawOp(ops[ops.length - 1], false); key.hidden = false; } }, 'Show all')),
			list, key);
		if (animate && reducedMotion()) {
			// no motion: every operation at once, the views show the last
			list.replaceChildren(...items);
			for (const o of ops) this.drawOp(o, o === ops[ops.length - 1]);
			return;
		}
		key.hidden = animate;
		if (!animate) { list.replaceChildren(...items); return; }
		let i = 0;
		const tick = () => {
			if (i >= ops.length) { key.hidden = false; return; }
			items[i].classList.add('appear');
			list.append(items[i]);
			this.drawOp(ops[i], true);
			i++;
			this.timer = setTimeout(tick, ops[i - 1].op === 'translate' ? STEP_MS * 3 : STEP_MS);
		};
		tick();
	}

	// One revealed operation on the views: a walk is drawn step by step,
	// the frames an allocation got light up on the maps.
	drawOp(o, go) {
		if (!o || !o.result) return;
		const cons = this.app.console;
		const marks = o.op ? cons.marksOf(o.op, o.result) : [];
		if (marks.length) {
			this.app.machine.marks = marks.map((x) => ({ n: 1, ...x }));
			this.app.bus.emit('marks');
			this.app.bus.emit('select', marks[0].pfn, null);
		}
		if (o.op === 'translate') {
			if (o.args && o.args.addr) this.app.walk.prefill(o.args.addr, o.args.pid);
			this.app.bus.emit('walk', o.result, o.args || {});
			if (go && this.app.docked()) this.app.selectTab('walk');
		} else if (marks.length && go && this.app.docked()) this.app.selectTab('physical');
	}

	opItem(o, i) {
		const cons = this.app.console;
		const name = o.op || (o.report ? `/proc/${o.report}` : 'operation');
		const args = o.args && Object.keys(o.args).length ? JSON.stringify(o.args) : '';
		const sum = o.op ? cons.summary(o.op, o.result) : summaryOfReport(o.result);
		const req = o.op ? cons.request(o.op, o.args || {}) : { method: 'GET', path: reportPath(o.report) };
		const curl = curlFor(req.method, this.app.client.machinePath(req.path), req.body, { accept: req.accept });
		const marks = o.op && o.result ? cons.marksOf(o.op, o.result) : [];
		const acts = [el('button', { type: 'button', onclick: () => this.app.copy(curl) }, 'Copy as curl')];
		if (o.op === 'translate')
			acts.push(el('button', { type: 'button', onclick: () => { this.drawOp(o, false); this.app.selectTab('walk'); } }, 'Show the walk'));
		if (marks.length)
			acts.push(el('button', { type: 'button', onclick: () => { this.drawOp(o, false); this.app.bus.emit('show-frame', marks[0].pfn); } },
				`Show frame ${hex(marks[0].pfn, 5)}`));
		return el('li', { class: 'rv-op', 'data-op': name },
			el('p', { class: 'rv-head' }, el('span', { class: 'rv-n' }, `${i + 1}.`), ' ', el('code', { class: 'h-op' }, name),
				args ? el('code', { class: 'rv-args' }, ` ${args}`) : null),
			sum ? el('p', { class: 'h-sum' }, `→ ${sum}`) : null,
			el('div', { class: 'h-actions' }, acts),
			el('details', {}, el('summary', {}, 'The command and its answer'),
				el('pre', { class: 'curl' }, curl), el('pre', { class: 'json' }, JSON.stringify(o.result, null, 2))));
	}

	keyView(rv) {
		const key = rv.key || {};
		const why = rv.explanation || {};
		const given = this.graded ? this.graded.fields || {} : {};
		const rows = Object.entries(key).map(([k, v]) => el('li', { 'data-field': k },
			el('p', { class: 'fb-head' }, el('strong', {}, k), ' = ', el('code', {}, showVal(v)),
				given[k] ? ` (you gave ${showVal(given[k].given)}: ${given[k].correct ? 'right' : 'wrong'})` : ''),
			why[k] ? el('p', { class: 'fb-text' }, why[k]) : null));
		return el('div', { class: 'rv-key', id: 'ex-key' }, el('h3', { id: 'ex-key-h' }, 'The answer, read off the machine'),
			el('ul', { class: 'fb-list', 'aria-labelledby': 'ex-key-h' }, rows));
	}
}

export function showVal(v) {
	if (v === null) return 'none';
	if (v === true) return 'yes';
	if (v === false) return 'no';
	return String(v);
}

function reportPath(name) {
	return ['dmesg', 'layout', 'ptdump'].includes(name) ? `/${name}` : `/proc/${name}`;
}

function summaryOfReport(r) {
	if (!r || typeof r !== 'object') return '';
	const parts = [];
	for (const [k, v] of Object.entries(r)) {
		if (typeof v !== 'object') parts.push(`${k} ${v}`);
		if (parts.length >= 4) break;
	}
	return parts.join(' · ');
}
