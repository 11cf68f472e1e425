// teach.js - the instructor's view: the classes (GET /v1/classes), a
// class's roster × exercise grid of scores (GET /v1/classes/{code}/grades)
// and one student's exercises with every attempt and its time
// (GET /v1/classes/{code}/students/{student}).  The instructor token is
// kept in this tab's memory only; each call can be copied as curl, with
// $INSTRUCTOR standing for the token.

import { $, el } from './util.js';
import { curlFor } from './api.js';

const cpath = (code, rest = '') => `/v1/classes/${encodeURIComponent(code)}${rest}`;
const icurl = (path, accept) => curlFor('GET', path, undefined, { tokenVar: 'INSTRUCTOR', accept });

export class Teacher {
	// app: {client, toast(text, isError), copy(text)}
	constructor(app) {
		this.app = app;
		this.client = app.client;
		this.token = null;
		this.code = null;
	}

	get(path) {
		return this.client.request('GET', path, { token: this.token });
	}

	async open(token) {
		this.token = token;
		const r = await this.get('/v1/classes');
		this.showClasses(r.data.classes || []);
		$('#teach-grid').replaceChildren();
		$('#teach-student').replaceChildren();
		const first = (r.data.classes || [])[0];
		if (first) await this.grades(first.code);
	}

	close() {
		this.token = null;
		this.code = null;
		for (const id of ['#teach-classes', '#teach-grid', '#teach-student']) $(id).replaceChildren();
	}

	showClasses(classes) {
		const rows = classes.map((c) => el('tr', { 'data-class': c.code },
			el('th', { scope: 'row' }, el('code', {}, c.code)), el('td', {}, c.name),
			el('td', { class: 'num' }, String(c.students ?? '')), el('td', { class: 'num' }, String(c.assignments ?? '')),
			el('td', {}, el('button', { type: 'button', onclick: () => this.grades(c.code) }, 'Grades',
				el('span', { class: 'sr-only' }, ` of ${c.name}`)))));
		$('#teach-classes').replaceChildren(
			classes.length ? el('div', { class: 'scroll' }, el('table', { class: 'data' },
				el('caption', {}, 'Your classes'),
				el('thead', {}, el('tr', {}, ['Code', 'Name', 'Students', 'Assignments', 'Grades'].map((h, i) =>
					el('th', { scope: 'col', class: i === 2 || i === 3 ? 'num' : null }, h)))),
				el('tbody', {}, rows)))
				: el('p', { class: 'empty' }, 'No class yet: create one with POST /v1/classes {"name": …}.'),
			el('p', { class: 'ex-actions' }, el('button', { type: 'button', onclick: () => this.app.copy(icurl('/v1/classes')) },
				'Copy “GET /v1/classes” as curl')));
	}

	// --- the grid ---------------------------------------------------------------------

	async grades(code) {
		this.code = code;
		const box = $('#teach-grid');
		try {
			const r = await this.get(cpath(code, '/grades'));
			box.replaceChildren(this.gridView(code, gradeTable(r.data)));
		} catch (e) {
			box.replaceChildren(el('p', { class: 'error', role: 'alert' }, `The grades of ${code}: ${e.message}`));
		}
		$('#teach-student').replaceChildren();
	}

	gridView(code, g) {
		const head = el('tr', {}, el('th', { scope: 'col' }, 'Student'),
			g.columns.map((c) => el('th', { scope: 'col', class: 'num', title: c.title },
				c.label, el('span', { class: 'col-type' }, c.type))),
			el('th', { scope: 'col', class: 'num' }, 'Total'));
		const body = g.rows.map((s) => el('tr', { 'data-student': s.id },
			el('th', { scope: 'row' }, el('button', { type: 'button', class: 'link', onclick: () => this.student(code, s.id, s.name) },
				s.name, el('span', { class: 'sr-only' }, ': every attempt'))),
			g.columns.map((c) => {
				const v = s.cells[c.key];
				return el('td', { class: `num ${cellClass(v, c.max)}` }, v === null || v === undefined ? '–' : `${v}/${c.max ?? '?'}`);
			}),
			el('td', { class: 'num total' }, s.total === null || s.total === undefined ? '–' : `${s.total}${g.max ? `/${g.max}` : ''}`)));
		return el('section', { class: 'grid-box', 'aria-labelledby': 'grid-h' },
			el('h3', { id: 'grid-h' }, `Grades of ${g.name || code}`),
			el('p', { class: 'hint' }, `${g.rows.length} student${g.rows.length === 1 ? '' : 's'} × ${g.columns.length} exercise${g.columns.length === 1 ? '' : 's'}. ` +
				'Choose a name for that student\'s attempts.'),
			el('div', { class: 'scroll' }, el('table', { class: 'data grades', id: 'grades' },
				el('caption', { class: 'sr-only' }, `Scores of each student on each exercise of ${code}`),
				el('thead', {}, head), el('tbody', {}, body))),
			el('p', { class: 'ex-actions' },
				el('button', { type: 'button', onclick: () => this.app.copy(icurl(cpath(code, '/grades'))) }, 'Copy as curl (JSON)'),
				el('button', { type: 'button', onclick: () => this.app.copy(icurl(cpath(code, '/grades'), 'text/csv')) }, 'Copy as curl (CSV)'),
				el('button', { type: 'button', onclick: () => this.app.copy(icurl(cpath(code, '/grades?format=gradescope'))) },
					'Copy as curl (Gradescope results.json)')));
	}

	// --- one student --------------------------------------------------------------------

	async student(code, id, name) {
		const box = $('#teach-student');
		try {
			const r = await this.get(cpath(code, `/students/${encodeURIComponent(id)}`));
			box.replaceChildren(this.studentView(code, id, name, r.data));
			$('#st-h').focus();
		} catch (e) {
			box.replaceChildren(el('p', { class: 'error', role: 'alert' }, `${name}'s attempts: ${e.message}`));
		}
	}

	studentView(code, id, name, d) {
		const st = d.student || {};
		// {assignments: [{name, exercises: [the exercise in full, or
		// {id: null, type, state: "not-drawn"}]}]}
		const exs = (d.assignments || []).flatMap((a) => (a.exercises || []).map((x) => ({ ...x, in: a.name })));
		const items = exs.map((x) => {
			const log = x.attempts_log || [];
			return el('li', { class: 'st-ex', 'data-ex': x.id || '' },
				el('p', { class: 'fb-head' }, el('strong', {}, x.title || x.type), ` · ${x.in} · ${x.state || ''}`,
					x.id ? ` · ${x.score === null || x.score === undefined ? 'not answered' : `${x.score} of ${x.max}`}` : ''),
				log.length ? el('ul', { class: 'att-log' }, log.map((a) => el('li', {},
					el('time', { datetime: a.time }, a.time ? new Date(a.time).toLocaleString('en-GB') : ''),
					` · attempt ${a.n ?? ''}: ${a.score} of ${a.max}`,
					a.answer ? el('code', { class: 'rv-args' }, ` ${JSON.stringify(a.answer.fields || a.answer)}`) : null)))
					: el('p', { class: 'empty' }, x.id ? 'No attempt yet.' : 'Not drawn yet: it is drawn when the student first lists their work.'),
				x.key ? el('p', { class: 'hint st-key' }, 'The key: ', Object.entries(x.key).flatMap(([k, v], i) =>
					[i ? ', ' : '', `${k} = `, el('code', {}, v === true ? 'yes' : v === false ? 'no' : v === null ? 'none' : String(v))])) : null);
		});
		return el('section', { class: 'student-box', 'aria-labelledby': 'st-h' },
			el('h3', { id: 'st-h', tabindex: '-1' }, `${st.name || name}: every attempt`),
			items.length ? el('ul', { class: 'st-list' }, items) : el('p', { class: 'empty' }, 'No exercise drawn yet.'),
			el('p', { class: 'ex-actions' }, el('button', { type: 'button',
				onclick: () => this.app.copy(icurl(cpath(code, `/students/${encodeURIComponent(id)}`))) }, 'Copy as curl')));
	}
}

// The grades answer ({class: {code, name}, columns: [{key, assignment,
// assignment_name, slot, type, title, max}], max, students: [{id, name,
// exercises: {key: {id, state, score, max, attempts} or null}, total,
// max}]}) as {name, columns: [{key, label, title, max}], rows: [{id, name,
// cells: {key: score or null}, total}], max}.
export function gradeTable(d) {
	const cols = (d.columns || []).map((c) => ({
		key: c.key,
		// "a1.2": the assignment's second exercise
		label: `${c.assignment_name || c.assignment} ${String(c.key).split('.').pop()}`,
		type: c.type,
		title: c.title || c.type || '',
		max: c.max ?? null,
	}));
	const rows = (d.students || []).map((s) => {
		const cells = {};
		for (const [k, v] of Object.entries(s.exercises || {})) cells[k] = v ? v.score ?? null : null;
		return { id: s.id, name: s.name, cells, total: s.total ?? null };
	});
	return { name: d.class && d.class.name, columns: cols, rows, max: d.max ?? null };
}

function cellClass(v, max) {
	if (v === null || v === undefined) return 'none';
	if (max && v >= max) return 'full';
	return v > 0 ? 'part' : 'zero';
}
