// exercise.js - the Exercises tab: the caller's work (GET /v1/me), the
// self-study picker (the catalogue), and one open exercise: its question
// beside the live views of its own machine, the answer form built from
// the exercise's "fields" (the API's names and formats), the per-field
// feedback, and Reveal, which replays the revealed operations on the
// views (reveal.js: the walk drawn step by step, the frames lit up).
// Every call is the one the curl flow makes, and each can be copied as
// curl.

import { $, el, plural } from './util.js';
import { curlFor } from './api.js';
import { RevealView, showVal } from './reveal.js';

// how each format is written (docs/exercises.md); a choice needs no words
const FORMAT_HINT = {
	pfn: 'decimal or 0x hex',
	address: '0x hex or decimal, or none',
	count: 'decimal or 0x hex',
	size: '4096, 0x1000, 4K, 8 KiB, 896M',
	'cache name': 'kmalloc-64, or none',
};
const FORMAT_EXAMPLE = { pfn: 'e.g. 0x36bfe', address: 'e.g. 0xc0100000', count: 'e.g. 12', size: 'e.g. 8K', 'cache name': 'e.g. kmalloc-64' };
const STATE_WORDS = { open: 'open', answered: 'answered', revealed: 'revealed', 'not-drawn': 'not drawn yet' };
const REVEAL_WORDS = {
	attempts: 'after your last attempt (or full marks)',
	attempts_or_due: 'after your last attempt (or full marks), or after the due time',
};

// "a-x3f0…" paths with the id escaped
const exPath = (id, rest = '') => `/v1/exercises/${encodeURIComponent(id)}${rest}`;

export class Exercises {
	// app: {client, machine, bus, console, walk, openMachine(id, token),
	//       selectTab(name), toast(text, isError), copy(text), docked()}
	constructor(app) {
		this.app = app;
		this.client = app.client;
		this.catalogue = [];
		this.ex = null;		// the open exercise (GET /v1/exercises/{id})
		this.token = null;	// whose exercises these are
		this.lastResult = null;	// the last answer's grading
		this.rv = new RevealView(app);
		this.work = el('section', { id: 'ex-work', class: 'ex-work', 'aria-labelledby': 'ex-title' });
		this.pickers = [];
		this.asgNames = {};	// assignment id -> name, from the lists
	}

	// --- the catalogue and the self-study picker ------------------------------------

	async loadCatalogue() {
		try {
			const r = await this.client.request('GET', '/v1/exercises', { auth: false });
			this.catalogue = (r.data && r.data.exercises) || [];
			this.catalogueError = null;
		} catch (e) {
			this.catalogue = [];
			this.catalogueError = `The catalogue could not be read: ${e.message}`;
		}
		for (const p of this.pickers) this.fillPicker(p);
	}

	// The picker as a form; prefix keeps its ids apart (the start page's
	// and the tab's).
	picker(root, prefix) {
		const sel = el('select', { id: `${prefix}-type`, name: 'type', required: true, 'aria-describedby': `${prefix}-type-h` });
		const seed = el('input', { id: `${prefix}-seed`, name: 'seed', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false',
			placeholder: 'any', 'aria-describedby': `${prefix}-seed-h` });
		const note = el('p', { id: `${prefix}-type-h`, class: 'hint misconception' });
		const curl = el('pre', { class: 'curl', id: `${prefix}-curl`, 'aria-label': 'The same request from a terminal' });
		const go = el('button', { type: 'submit', class: 'primary', id: `${prefix}-go` }, 'Start the exercise');
		const form = el('form', { class: 'ex-pick', id: `${prefix}-form`, 'aria-labelledby': `${prefix}-h` },
			el('h4', { id: `${prefix}-h` }, 'Self-study: pick a question'),
			el('div', { class: 'field' }, el('label', { for: `${prefix}-type` }, 'Exercise'), sel, note),
			el('div', { class: 'field' }, el('label', { for: `${prefix}-seed` }, 'Seed ', el('span', { class: 'opt' }, '(optional)')), seed,
				el('p', { id: `${prefix}-seed-h`, class: 'hint' }, 'The same seed gives the same question; leave it empty for a new one.')),
			el('p', { class: 'preview-label' }, 'The same request from a terminal:'), curl,
			el('div', { class: 'ex-actions' }, go,
				el('button', { type: 'button', onclick: () => this.app.copy(this.pickCurl(p)) }, 'Copy as curl')));
		const p = { form, sel, seed, note, curl, go };
		form.addEventListener('input', () => this.updatePicker(p));
		form.addEventListener('submit', (e) => { e.preventDefault(); this.start(p); });
		root.replaceChildren(form);
		this.pickers.push(p);
		this.fillPicker(p);
		return p;
	}

	fillPicker(p) {
		const cur = p.sel.value;
		p.sel.replaceChildren(...this.catalogue.map((t, i) => el('option', { value: t.type }, `${i + 1}. ${t.title}`)));
		if (cur && this.catalogue.some((t) => t.type === cur)) p.sel.value = cur;
		this.updatePicker(p);
	}

	pickBody(p) {
		const b = { type: p.sel.value };
		const s = p.seed.value.trim();
		if (s !== '') b.seed = /^\d+$/.test(s) ? Number(s) : s;
		return b;
	}

	pickCurl(p) {
		return curlFor('POST', '/v1/exercises', this.pickBody(p), { auth: !!this.token });
	}

	updatePicker(p) {
		const t = this.catalogue.find((x) => x.type === p.sel.value);
		p.note.textContent = t ? `The misconception it is aimed at: “${t.misconception}”. Answer: ${t.fields.map((f) => f.name).join(', ')}.`
			: this.catalogueError || '';
		p.go.disabled = !t;
		p.curl.textContent = this.pickCurl(p);
	}

	async start(p) {
		p.go.disabled = true;
		p.go.textContent = 'Booting its machine…';
		try {
			// the caller's own token when there is one, so the exercises
			// gather under it; none gives a fresh token (like a machine)
			const r = await this.client.request('POST', '/v1/exercises', {
				body: this.pickBody(p), auth: !!this.token, token: this.token,
			});
			const ex = r.data;
			const token = ex.token || (ex.machine && ex.machine.token) || this.token;
			await this.open(ex.id, token, ex);
			this.app.toast(`Exercise ${ex.id} started on machine ${ex.machine.id}. Its token is kept in this tab only.`);
		} catch (e) {
			this.app.toast(`The exercise did not start: ${e.message}`, true);
		} finally {
			p.go.disabled = false;
			p.go.textContent = 'Start the exercise';
		}
	}

	// --- the caller's work: GET /v1/me ------------------------------------------------

	async loadMine(token, into) {
		const r = await this.client.request('GET', '/v1/me', { token });
		into.replaceChildren(this.mineView(r.data, token));
		return r.data;
	}

	mineView(me, token) {
		const kids = [];
		const openBtn = (x) => el('button', { type: 'button', class: 'ex-open', 'data-ex': x.id,
			onclick: () => this.open(x.id, token).catch((e) => this.app.toast(`Could not open ${x.id}: ${e.message}`, true)) },
		this.ex && this.ex.id === x.id ? 'Open (this one)' : 'Open', el('span', { class: 'sr-only' }, ` ${x.title}`));
		const row = (x) => ({ cells: [x.title || x.type, stateText(x), x.id ? scoreText(x) : '', x.id ? openBtn(x) : ''] });
		if (me.student) {
			const c = me.student.class || {};
			kids.push(el('p', {}, `${me.student.name}, in ${typeof c === 'object' ? `${c.name} (${c.code})` : `class ${c}`}.`));
		}
		for (const a of me.assignments || []) {
			this.asgNames[a.id] = a.name;
			const due = a.due ? ` · due ${new Date(a.due).toLocaleString('en-GB')}` : '';
			kids.push(el('h4', {}, `Assignment: ${a.name}`),
				el('p', { class: 'hint' }, `${a.attempts} attempt${a.attempts === 1 ? '' : 's'} a question${due}` +
					(REVEAL_WORDS[a.reveal] ? ` · the answers can be revealed ${REVEAL_WORDS[a.reveal]}` : '')),
				exTable(`The exercises of ${a.name}`, (a.exercises || []).map(row)));
		}
		const listed = new Set((me.assignments || []).flatMap((a) => (a.exercises || []).map((x) => x.id)));
		const rest = (me.exercises || []).filter((x) => !listed.has(x.id));
		const assigned = rest.filter((x) => x.assignment);
		const own = rest.filter((x) => !x.assignment);
		if (assigned.length) kids.push(el('h4', {}, 'Assigned'), exTable('Your assigned exercises', assigned.map(row)));
		if (own.length) kids.push(el('h4', {}, 'Self-study'), exTable('Your self-study exercises', own.map(row)));
		if (!kids.length) kids.push(el('p', { class: 'empty' }, 'No exercises yet for this token.'));
		kids.push(el('p', { class: 'ex-actions' }, el('button', { type: 'button',
			onclick: () => this.app.copy(curlFor('GET', '/v1/me')) }, 'Copy “GET /v1/me” as curl')));
		return el('div', { class: 'ex-mine' }, kids);
	}

	async refreshMine() {
		if (!this.token) return;
		try {
			await this.loadMine(this.token, $('#ex-mine'));
		} catch (e) {
			$('#ex-mine').replaceChildren(el('p', { class: 'error' }, e.message));
		}
	}

	// --- one exercise -------------------------------------------------------------------

	// Open exercise id (its object if just made), and its machine.
	async open(id, token, made = null) {
		const ex = made && made.attempts_log ? made : (await this.client.request('GET', exPath(id), { token })).data;
		this.token = token;
		const mtoken = (ex.machine && ex.machine.token) || token;
		if (!this.app.machine.info || this.app.machine.id !== ex.machine.id || this.client.token !== mtoken) {
			const ok = await this.app.openMachine(ex.machine.id, mtoken);
			if (!ok) return false;
		}
		this.ex = ex;
		this.lastResult = null;
		this.app.remember(ex.id, token);
		this.render();
		this.place();
		document.body.classList.add('has-ex');
		$('#tab-exercise').hidden = false;
		this.app.selectTab('exercise');
		$('#ex-title').focus({ preventScroll: true });
		this.refreshMine();
		return true;
	}

	close() {
		this.rv.stop();
		this.ex = null;
		this.token = null;
		this.work.remove();
		document.body.classList.remove('has-ex');
		$('#tab-exercise').hidden = true;
	}

	// Beside the views when the console is docked (a wide screen), in the
	// Exercise tab otherwise.
	place() {
		if (!this.ex) return;
		const home = this.app.docked() ? $('#ex-dock') : $('#ex-work-home');
		if (this.work.parentElement !== home) home.append(this.work);
		$('#ex-work-home').closest('section').classList.toggle('docked-work', this.app.docked());
	}

	render() {
		const ex = this.ex;
		const a = ex.attempts || {};
		const an = ex.assignment && (ex.assignment.name || this.asgNames[ex.assignment.assignment] || ex.assignment.assignment);
		const assigned = ex.assignment ? ` · assignment ${an}` : ' · self-study';
		this.statusEl = el('p', { class: 'ex-status', id: 'ex-status' });
		this.form = this.answerForm(ex);
		this.feedback = el('div', { id: 'ex-feedback', class: 'ex-feedback', 'aria-live': 'polite' });
		this.revealOut = el('div', { id: 'ex-reveal', class: 'ex-reveal' });
		const revealBtn = el('button', { type: 'button', id: 'ex-reveal-go', onclick: () => this.reveal() }, 'Reveal on the machine');
		this.work.replaceChildren(
			// kept in sight while the form scrolls beside the views
			el('div', { class: 'ex-qhead' },
				el('h2', { id: 'ex-title', tabindex: '-1' }, ex.title),
				el('p', { class: 'ex-meta' }, `${ex.id} · ${ex.type}${ex.seed !== undefined && ex.seed !== null ? ` · seed ${ex.seed}` : ''}${assigned} · machine `,
					el('code', {}, ex.machine.id)),
				el('p', { class: 'ex-question', id: 'ex-question' }, ex.question),
				this.statusEl),
			this.form,
			this.feedback,
			el('div', { class: 'ex-reveal-bar' },
				revealBtn,
				el('button', { type: 'button', onclick: () => this.app.copy(curlFor('POST', exPath(ex.id, '/reveal'))) }, 'Copy reveal as curl'),
				el('p', { class: 'hint', id: 'ex-reveal-h' }, 'Resets this machine to its start and runs the operations that answer the question: ' +
					'the views show the proof. No attempt is scored after it.')),
			this.revealOut);
		revealBtn.setAttribute('aria-describedby', 'ex-reveal-h');
		this.updateStatus(a);
		// GET /v1/exercises/{id} holds the revealed operations as "reveal"
		// and the key beside them; the reveal's own answer has both inside
		const rv = Array.isArray(ex.reveal) ? { ops: ex.reveal, key: ex.key, explanation: ex.explanation } : ex.reveal;
		const log = ex.attempts_log || [];
		if (log.length) {
			this.showLog(log);
			// the form as the last attempt left it
			const last = log[log.length - 1].answer || {};
			for (const [k, v] of Object.entries(last.fields || last))
				if (this.inputs[k] && v !== null && typeof v !== 'object') this.inputs[k].value = typeof v === 'boolean' ? showVal(v) : String(v);
			this.preview.textContent = this.answerCurl();
		}
		if (ex.state === 'revealed' && rv) this.rv.show(this.revealOut, rv, false, this.lastResult);
	}

	updateStatus(a = this.ex.attempts || {}) {
		const ex = this.ex;
		const score = ex.score === null || ex.score === undefined ? 'not answered yet' : `score ${ex.score} of ${ex.max}`;
		const revealed = ex.state === 'revealed';
		const tries = revealed ? `${plural(a.used ?? 0, 'attempt')} used; none after the reveal`
			: `attempts: ${a.used ?? 0} used, ${a.left ?? '?'} left of ${a.allowed ?? '?'}`;
		this.statusEl.textContent = `${STATE_WORDS[ex.state] || ex.state} · ${score} · ${tries}`;
		const submit = $('#ex-submit', this.form);
		if (submit) submit.disabled = revealed || a.left === 0;
		const rb = $('#ex-reveal-go', this.work);
		if (rb) {
			rb.disabled = revealed;
			rb.textContent = revealed ? 'Revealed' : 'Reveal on the machine';
		}
	}

	// The form: one control per field, named and formatted as the API
	// has them; the hint is the field's prompt and its format.
	answerForm(ex) {
		const f = el('form', { id: 'ex-form', class: 'ex-form', 'aria-labelledby': 'ex-form-h', novalidate: true },
			el('h3', { id: 'ex-form-h' }, 'Your answer'));
		this.inputs = {};
		for (const fd of ex.fields || []) {
			const id = `ex-f-${fd.name}`;
			const how = FORMAT_HINT[fd.format];
			const hint = how ? `${fd.prompt} · ${how}` : fd.prompt;
			let input;
			const choices = fd.choices || (fd.format === 'zone' ? ['DMA', 'Normal', 'HighMem'] : fd.format === 'yes/no' ? ['yes', 'no'] : null);
			if (choices) {
				input = el('select', { id, name: fd.name, 'aria-describedby': `${id}-h ${id}-err` },
					el('option', { value: '' }, '(choose)'), choices.map((c) => el('option', { value: c }, c)));
			} else {
				input = el('input', { id, name: fd.name, autocomplete: 'off', spellcheck: 'false', class: 'mono',
					placeholder: FORMAT_EXAMPLE[fd.format] || null, 'aria-describedby': `${id}-h ${id}-err` });
			}
			this.inputs[fd.name] = input;
			f.append(el('div', { class: 'field ex-field', 'data-field': fd.name },
				el('label', { for: id }, fd.name, el('span', { class: 'req' }, ` ${fd.format} · ${fd.credit} mark${fd.credit === 1 ? '' : 's'}`)),
				input,
				el('p', { id: `${id}-h`, class: 'hint' }, hint),
				el('p', { id: `${id}-err`, class: 'field-err' })));
		}
		this.preview = el('pre', { class: 'curl', id: 'ex-preview' });
		f.append(el('details', { class: 'ex-curl' }, el('summary', {}, 'The same request from a terminal'), this.preview),
			el('div', { class: 'ex-actions' },
				el('button', { type: 'submit', class: 'primary', id: 'ex-submit' }, 'Check my answer'),
				el('button', { type: 'button', onclick: () => this.app.copy(this.answerCurl()) }, 'Copy as curl')),
			el('p', { class: 'error', id: 'ex-form-err', role: 'alert', hidden: true }));
		f.addEventListener('input', () => { this.preview.textContent = this.answerCurl(); });
		f.addEventListener('submit', (e) => { e.preventDefault(); this.answer(); });
		this.preview.textContent = this.answerCurl();
		return f;
	}

	answerBody() {
		const fields = {};
		for (const [name, input] of Object.entries(this.inputs)) fields[name] = input.value.trim();
		return { fields };
	}

	answerCurl() {
		return curlFor('POST', exPath(this.ex.id, '/answers'), this.answerBody());
	}

	clearErrors() {
		for (const input of Object.values(this.inputs)) {
			input.removeAttribute('aria-invalid');
			$(`#${input.id}-err`, this.form).textContent = '';
		}
		const fe = $('#ex-form-err', this.form);
		fe.hidden = true;
		fe.textContent = '';
	}

	fieldError(name, text) {
		const input = this.inputs[name];
		if (!input) return;
		input.setAttribute('aria-invalid', 'true');
		$(`#${input.id}-err`, this.form).textContent = text;
	}

	formError(text) {
		const fe = $('#ex-form-err', this.form);
		fe.textContent = text;
		fe.hidden = false;
	}

	async answer() {
		this.clearErrors();
		const body = this.answerBody();
		const empty = Object.entries(body.fields).filter(([, v]) => v === '').map(([k]) => k);
		if (empty.length) {
			for (const k of empty) this.fieldError(k, 'Answer this field too.');
			this.formError(`Every field needs an answer: ${empty.join(', ')} ${empty.length === 1 ? 'is' : 'are'} empty. Nothing was sent.`);
			this.inputs[empty[0]].focus();
			return;
		}
		const btn = $('#ex-submit', this.form);
		btn.disabled = true;
		let r;
		try {
			r = await this.client.request('POST', exPath(this.ex.id, '/answers'), { body, token: this.token });
		} catch (e) {
			btn.disabled = false;
			const field = e.problem && e.problem.field;
			if (e.status === 400 && field) {
				this.fieldError(field, e.message);
				this.formError(`${field}: ${e.message} No attempt was spent: fix it and check again.`);
				if (this.inputs[field]) this.inputs[field].focus();
			} else this.formError(e.message);
			return;
		}
		const g = r.data;
		this.ex.score = g.score;
		this.ex.max = g.max;
		this.ex.state = g.state;
		this.ex.attempts = g.attempts;
		this.lastResult = g;
		this.updateStatus(g.attempts);
		this.showResult(g, body);
		this.feedback.scrollIntoView({ block: 'nearest' });
		this.refreshMine();
	}

	// The grading, field by field.
	showResult(g, body) {
		const rows = Object.entries(g.fields || {}).map(([name, f]) => {
			const fb = f.feedback || (f.correct ? '' : 'Not right. The reasoning is shown when the answers may be shown.');
			return el('li', { class: `fb ${f.correct ? 'right' : 'wrong'}`, 'data-field': name },
				el('span', { class: 'fb-mark', 'aria-hidden': 'true' }, f.correct ? '✓' : '✗'),
				el('div', {},
					el('p', { class: 'fb-head' }, el('strong', {}, name), ` ${f.correct ? 'right' : 'wrong'}: `,
						el('code', {}, showVal(f.given)), el('span', { class: 'fb-credit' }, ` ${f.earned}/${f.credit}`)),
					fb ? el('p', { class: 'fb-text' }, fb) : null));
		});
		for (const [name, f] of Object.entries(g.fields || {}))
			if (this.inputs[name] && !f.correct) this.inputs[name].setAttribute('aria-invalid', 'true');
		const a = g.attempts || {};
		this.feedback.replaceChildren(
			el('h3', { id: 'ex-fb-h' }, `Attempt ${g.attempt}: ${g.score} of ${g.max}`),
			el('p', { class: 'hint' }, a.left ? `${a.left} attempt${a.left === 1 ? '' : 's'} left.` :
				'No attempts left: reveal the answer on the machine.'),
			el('ul', { class: 'fb-list', 'aria-labelledby': 'ex-fb-h' }, rows),
			el('p', { class: 'ex-actions' }, el('button', { type: 'button',
				onclick: () => this.app.copy(curlFor('POST', exPath(this.ex.id, '/answers'), body)) }, 'Copy this answer as curl')));
	}

	showLog(log) {
		this.feedback.replaceChildren(el('h3', {}, 'Your attempts'),
			el('ul', { class: 'att-log' }, log.map((x) => el('li', {},
				`Attempt ${x.n} at ${new Date(x.time).toLocaleString('en-GB')}: ${x.score} of ${x.max}`))));
	}

	// --- reveal -------------------------------------------------------------------------

	async reveal() {
		const btn = $('#ex-reveal-go', this.work);
		btn.disabled = true;
		let r;
		try {
			r = await this.client.request('POST', exPath(this.ex.id, '/reveal'), { token: this.token });
		} catch (e) {
			btn.disabled = this.ex.state === 'revealed';
			this.revealOut.replaceChildren(el('p', { class: 'error', role: 'alert' }, `Not revealed: ${e.message}`));
			return;
		}
		this.ex.state = r.data.state || 'revealed';
		this.ex.reveal = r.data;
		this.ex.key = r.data.key;
		this.updateStatus();
		// the machine was reset and the operations run: read it again
		await this.app.machine.changed();
		this.rv.show(this.revealOut, r.data, true, this.lastResult);
		this.revealOut.scrollIntoView({ block: 'nearest' });
		this.refreshMine();
		// the score and attempts as the server has them (answers sent
		// with curl count too)
		try {
			const ex = (await this.client.request('GET', exPath(this.ex.id), { token: this.token })).data;
			Object.assign(this.ex, { score: ex.score, max: ex.max, attempts: ex.attempts, state: ex.state });
			this.updateStatus();
		} catch { /* the status stays as it was */ }
	}

}


function stateText(x) {
	return STATE_WORDS[x.state] || x.state || '';
}

function scoreText(x) {
	return x.score === null || x.score === undefined ? `– of ${x.max ?? '?'}` : `${x.score} of ${x.max}`;
}

function exTable(caption, rows) {
	const t = el('table', { class: 'data ex-table' }, el('caption', { class: 'sr-only' }, caption),
		el('thead', {}, el('tr', {}, ['Exercise', 'State', 'Score', el('span', { class: 'sr-only' }, 'Open')].map((h, i) =>
			el('th', { scope: 'col', class: i === 2 ? 'num' : null }, h)))),
		el('tbody', {}, rows.map((r) => el('tr', {}, r.cells.map((c, i) => el('td', { class: i === 2 ? 'num' : null }, c))))));
	return el('div', { class: 'scroll' }, t);
}
