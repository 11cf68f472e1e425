// console.js - the operations console: any operation from a form built
// from /openapi.json, each result in a history with "copy as curl", so
// the page teaches the API the exercises use.

import { $, el, hex, num, PAGE_SIZE } from './util.js';
import { curlFor } from './api.js';

const GROUPS = [
	['Pages (buddy allocator)', ['alloc_pages', 'free_pages', 'frame']],
	['kmalloc and slab', ['kmalloc', 'kzalloc', 'krealloc', 'kfree', 'ksize', 'kmem_cache_create',
		'kmem_cache_alloc', 'kmem_cache_free', 'kmem_cache_destroy']],
	['vmalloc and ioremap', ['vmalloc', 'vzalloc', 'vfree', 'vmap', 'vunmap', 'ioremap', 'iounmap']],
	['High memory (kmap)', ['kmap', 'kunmap', 'kmap_local_page', 'kunmap_local', 'kmap_atomic', 'kunmap_atomic',
		'page_address', 'pkmap']],
	['Page tables and bytes', ['translate', 'read', 'write']],
	['Processes', ['process_create', 'fork', 'exit', 'mmap', 'munmap', 'mprotect', 'brk', 'access', 'uread', 'uwrite',
		'copy_to_user', 'copy_from_user', 'oom_score_adj', 'proc_limits', 'maps', 'status', 'pagemap', 'process_pagetables']],
];
const REPORTS = ['meminfo', 'buddyinfo', 'zoneinfo', 'pagetypeinfo', 'slabinfo', 'vmallocinfo', 'iomem', 'e820',
	'memblock', 'cmdline'];
const PROCESS_REPORTS = { maps: 'maps', status: 'status', pagemap: 'pagemap', process_pagetables: 'ptdump' };
// a value to start from, so Run does something sensible at once
const STARTERS = {
	kmalloc: { size: '100' }, kzalloc: { size: '64' }, vmalloc: { size: '16K' }, vzalloc: { size: '8K' },
	alloc_pages: { order: '3' }, translate: { addr: '0xc2001000' }, kmap: { pfn: '0x7f000' },
	ioremap: { phys: '0xfed00000', size: '1024' }, mmap: { len: '64K' }, kmem_cache_create: { name: 'my_cache', size: '96' },
};

export class Console {
	constructor(root, machine, bus, client, toast) {
		this.root = root;
		this.m = machine;
		this.bus = bus;
		this.client = client;
		this.toast = toast;
		this.sel = $('#op-select', root);
		this.fieldsEl = $('#op-fields', root);
		this.preview = $('#op-preview', root);
		this.form = $('#op-form', root);
		this.hist = $('#history', root);
		this.inlineToken = $('#curl-token', root);
		this.spec = null;
		this.count = 0;
		this.readOnly = false;
		this.form.addEventListener('submit', (e) => { e.preventDefault(); this.run(); });
		this.form.addEventListener('input', () => this.updatePreview());
		this.sel.addEventListener('change', () => this.buildFields());
		bus.on('data', () => { this.syncPids(); this.updatePreview(); });
	}

	async load() {
		try {
			const r = await this.client.request('GET', '/openapi.json', { auth: false });
			this.spec = r.data;
		} catch (e) {
			this.spec = null;
			this.toast(`The operation forms could not be built (${e.message}); arguments can still be typed as JSON.`, true);
		}
		this.fillSelect();
		this.buildFields();
	}

	knownOps() {
		const all = this.spec && this.spec.components && this.spec.components.schemas.OpName
			? this.spec.components.schemas.OpName.enum : GROUPS.flatMap((g) => g[1]);
		return new Set(all);
	}

	fillSelect() {
		const known = this.knownOps();
		const seen = new Set();
		const groups = GROUPS.map(([label, ops]) => {
			const o = ops.filter((x) => known.has(x));
			o.forEach((x) => seen.add(x));
			return el('optgroup', { label }, o.map((x) => el('option', { value: x }, x)));
		});
		const other = [...known].filter((x) => !seen.has(x) && x !== 'frames');
		if (other.length) groups.push(el('optgroup', { label: 'Other' }, other.map((x) => el('option', { value: x }, x))));
		groups.push(el('optgroup', { label: 'Reports (read only)' },
			REPORTS.map((r) => el('option', { value: `report:${r}` }, `/proc/${r}`)),
			el('option', { value: 'report:dmesg' }, 'dmesg'), el('option', { value: 'report:layout' }, 'layout'),
			el('option', { value: 'report:ptdump' }, 'ptdump')));
		groups.push(el('optgroup', { label: 'The machine' }, el('option', { value: 'machine:reset' }, 'reset (boot again)')));
		this.sel.replaceChildren(...groups);
		this.sel.value = 'kmalloc';
	}

	// --- the form ------------------------------------------------------------------

	// a schema with its $refs followed; the generic Number's examples
	// (4096, "4K") say nothing about a particular argument, so they go
	resolve(s) {
		let out = { ...(s || {}) };
		for (let i = 0; out.$ref && i < 8; i++) {
			const name = out.$ref.split('/').pop();
			const target = { ...(this.spec.components.schemas[name] || {}) };
			if (name === 'Number') delete target.examples;
			const { $ref, ...rest } = out;
			void $ref;
			out = { ...target, ...rest, description: rest.description || target.description };
		}
		return out;
	}

	schemaFor(op) {
		if (!this.spec) return null;
		const p = this.spec.paths[`/v1/machines/{id}/${op}`];
		const body = p && p.post && p.post.requestBody;
		const s = body && body.content && body.content['application/json'] && body.content['application/json'].schema;
		return s ? this.resolve(s) : null;
	}

	buildFields() {
		const op = this.sel.value;
		this.fieldsEl.replaceChildren();
		this.fields = [];
		const desc = $('#op-desc', this.root);
		desc.textContent = '';
		if (op.startsWith('report:')) {
			const name = op.slice(7);
			this.fieldsEl.append(el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'f-astext', checked: true }),
				' as the kernel\'s text (Accept: text/plain)'));
			if (name === 'ptdump') this.addField('pid', { type: 'integer', description: 'a process\'s page tables instead of the kernel\'s' }, false);
			desc.textContent = name === 'ptdump' ? 'The page tables in the x86 ptdump format.' : `GET the ${name} report.`;
			this.updatePreview();
			return;
		}
		if (op === 'machine:reset') {
			desc.textContent = 'Boot the machine again from its configuration: every allocation and process is gone.';
			this.updatePreview();
			return;
		}
		const s = this.schemaFor(op);
		if (this.spec) {
			const p = this.spec.paths[`/v1/machines/{id}/${op}`];
			desc.textContent = (p && p.post && (p.post.summary || '')) || '';
		}
		if (!s || !s.properties) {
			const ta = el('textarea', { id: 'f-json', rows: '3', spellcheck: 'false', 'aria-describedby': 'f-json-h' }, '{}');
			this.fieldsEl.append(el('label', { for: 'f-json' }, 'Arguments as JSON'), ta,
				el('p', { id: 'f-json-h', class: 'hint' }, 'The body of the request, such as {"size": 100}.'));
			this.updatePreview();
			return;
		}
		const req = new Set(s.required || []);
		for (const [name, ps] of Object.entries(s.properties)) this.addField(name, this.resolve(ps), req.has(name));
		const start = STARTERS[op] || {};
		for (const [k, v] of Object.entries(start)) {
			const f = this.fields.find((x) => x.name === k);
			if (f && f.input.value === '') f.input.value = v;
		}
		this.syncPids();
		this.updatePreview();
	}

	addField(name, ps, required) {
		const id = `f-${name}`;
		const help = ps.description || '';
		let input;
		let kind = 'text';
		if (ps.enum) {
			kind = 'enum';
			input = el('select', { id, name }, el('option', { value: '' }, required ? '(choose)' : '(default)'),
				ps.enum.map((v) => el('option', { value: v }, v)));
		} else if (ps.type === 'boolean') {
			kind = 'bool';
			input = el('select', { id, name }, el('option', { value: '' }, '(default)'),
				el('option', { value: 'true' }, 'true'), el('option', { value: 'false' }, 'false'));
		} else if (ps.type === 'array') {
			kind = 'array';
			input = el('input', { id, name, type: 'text', autocomplete: 'off', placeholder: 'comma-separated' });
		} else {
			kind = ps.type === 'integer' ? 'int' : (ps.type === 'string' ? 'string' : 'number');
			const ex = (ps.examples && ps.examples[0]) ?? ((ps.oneOf || []).find((o) => o.examples) || { examples: [] }).examples[0];
			input = el('input', {
				id, name, type: 'text', autocomplete: 'off', spellcheck: 'false',
				inputmode: kind === 'int' ? 'numeric' : null,
				placeholder: ex !== undefined ? String(ex) : null,
				list: name === 'pid' ? 'pid-list' : null,
			});
		}
		if (required) input.required = true;
		const hid = `${id}-h`;
		if (help) input.setAttribute('aria-describedby', hid);
		this.fieldsEl.append(el('div', { class: 'field' },
			el('label', { for: id }, name, required ? el('span', { class: 'req' }, ' (required)') : null),
			input, help ? el('p', { id: hid, class: 'hint' }, help) : null));
		this.fields.push({ name, input, kind });
	}

	syncPids() {
		let dl = $('#pid-list');
		if (!dl) { dl = el('datalist', { id: 'pid-list' }); document.body.append(dl); }
		dl.replaceChildren(...this.m.processes.map((p) => el('option', { value: String(p.pid) }, `${p.comm}`)));
		const pid = this.fields && this.fields.find((f) => f.name === 'pid');
		// never under the user's cursor: an empty field being typed into stays theirs
		if (pid && !pid.input.value && document.activeElement !== pid.input && this.m.processes.length) pid.input.value = String(this.m.processes[this.m.processes.length - 1].pid);
		if (pid) this.updatePreview();
	}

	args() {
		const ta = $('#f-json', this.root);
		if (ta) {
			try { return JSON.parse(ta.value || '{}'); } catch (e) { throw new Error(`The arguments are not valid JSON: ${e.message}`); }
		}
		const a = {};
		for (const f of this.fields || []) {
			const v = f.input.value.trim();
			if (v === '') continue;
			if (f.kind === 'bool') a[f.name] = v === 'true';
			else if (f.kind === 'int') a[f.name] = /^\d+$/.test(v) ? Number(v) : v;
			else if (f.kind === 'number') a[f.name] = /^[1-9]\d*$|^0$/.test(v) ? Number(v) : v;
			else if (f.kind === 'array') a[f.name] = v.split(/[,|]/).map((x) => x.trim()).filter(Boolean);
			else a[f.name] = v;
		}
		return a;
	}

	// method, path under the machine, body, accept
	request(op, args) {
		if (op.startsWith('report:')) {
			const name = op.slice(7);
			const text = $('#f-astext', this.root) && $('#f-astext', this.root).checked;
			let path = ['dmesg', 'layout', 'ptdump'].includes(name) ? `/${name}` : `/proc/${name}`;
			if (name === 'ptdump' && args.pid) path += `?pid=${args.pid}`;
			return { method: 'GET', path, accept: text ? 'text/plain' : null };
		}
		if (op === 'machine:reset') return { method: 'POST', path: '/reset' };
		if (op === 'process_create') return { method: 'POST', path: '/processes', body: Object.keys(args).length ? args : undefined };
		if (op === 'processes') return { method: 'GET', path: '/processes' };
		if (op === 'translate') {
			const q = new URLSearchParams(Object.entries(args).map(([k, v]) => [k, String(v)]));
			return { method: 'GET', path: `/translate?${q}` };
		}
		if (PROCESS_REPORTS[op] && args.pid !== undefined && Object.keys(args).length === 1)
			return { method: 'GET', path: `/processes/${args.pid}/${PROCESS_REPORTS[op]}` };
		const pops = this.spec && this.spec.components.schemas.ProcessOpName ? this.spec.components.schemas.ProcessOpName.enum : [];
		if (pops.includes(op) && args.pid !== undefined && /^\d+$/.test(String(args.pid))) {
			const { pid, ...rest } = args;
			return { method: 'POST', path: `/processes/${pid}/${op}`, body: Object.keys(rest).length ? rest : undefined };
		}
		return { method: 'POST', path: `/${op}`, body: args };
	}

	curl(req) {
		return curlFor(req.method, this.client.machinePath(req.path), req.body, {
			token: this.inlineToken.checked ? this.client.token : null, accept: req.accept,
		});
	}

	// Under the instructor token only reads and reset run.
	setReadOnly(on) {
		this.readOnly = on;
		this.updatePreview();
	}

	blocked(req) {
		return this.readOnly && req.method !== 'GET' && req.path !== '/reset';
	}

	updatePreview() {
		const btn = $('#op-run', this.root);
		let req = null;
		try {
			req = this.request(this.sel.value, this.args());
			// the preview never shows the token
			this.preview.textContent = curlFor(req.method, this.client.machinePath(req.path), req.body, { accept: req.accept });
		} catch (e) {
			this.preview.textContent = e.message;
		}
		const no = !!req && this.blocked(req);
		$('#op-ro', this.root).hidden = !this.readOnly;
		if (!this.running) btn.disabled = no;
		btn.textContent = no ? 'Run (not with the instructor token)' : 'Run';
	}

	// --- running ---------------------------------------------------------------

	async run(opOverride, argsOverride) {
		const op = opOverride || this.sel.value;
		let args;
		try {
			args = argsOverride || this.args();
		} catch (e) {
			this.addEntry({ op, error: e.message, status: 0 });
			return null;
		}
		const req = this.request(op, args);
		const btn = $('#op-run', this.root);
		btn.disabled = true;
		this.running = true;
		const entry = { op, args, req, time: new Date() };
		try {
			const r = await this.client.request(req.method, this.client.machinePath(req.path), { body: req.body, accept: req.accept });
			entry.status = r.status;
			entry.result = r.data;
			entry.text = r.data ? null : r.text;
		} catch (e) {
			entry.status = e.status;
			entry.error = e.message;
			entry.problem = e.problem;
		} finally {
			this.running = false;
			btn.disabled = this.blocked(req);
		}
		entry.marks = entry.result ? this.marksOf(op, entry.result) : [];
		const li = this.addEntry(entry);
		// the answer, not the form above it, is what one looks at next: on
		// a phone the form fills the screen and the history starts below it
		li.scrollIntoView({ block: 'nearest' });
		if (entry.result) this.afterResult(op, args, entry.result, entry.marks);
		if (!req.method.startsWith('GET') && !entry.error) await this.m.changed();
		// and again once the views have taken the change
		if (li.isConnected) li.scrollIntoView({ block: 'nearest' });
		return entry;
	}

	// the frames (and addresses) a result names, to point them out
	marksOf(op, r) {
		const marks = [];
		const pfnOf = (p) => Math.floor(num(p) / PAGE_SIZE);
		if (Array.isArray(r.pages) && r.pages.length && r.pages[0].va)
			for (const p of r.pages) marks.push({ pfn: num(p.pfn), va: num(p.va) });
		else if (r.final && r.final.ok) marks.push({ pfn: pfnOf(r.final.phys), va: num(r.final.addr) });
		else if (op === 'translate' && r.ok) marks.push({ pfn: pfnOf(r.phys), va: num(r.addr) });
		else if (r.phys && r.addr) marks.push({ pfn: pfnOf(r.phys), va: num(r.addr), n: 1 });
		else if (r.pfn) marks.push({ pfn: num(r.pfn), va: r.virt ? num(r.virt) : r.addr ? num(r.addr) : undefined, n: r.pages || 1 });
		return marks.filter((x) => Number.isFinite(x.pfn));
	}

	afterResult(op, args, r, marks) {
		if (marks.length) {
			this.m.marks = marks.map((x) => ({ n: 1, ...x }));
			this.bus.emit('marks');
			this.bus.emit('select', marks[0].pfn, null);
		}
		if (op === 'translate') this.bus.emit('walk', r, args);
		if (op === 'access' && r.final) this.bus.emit('walk', r.final, args);
	}

	summary(op, r) {
		if (r === null || typeof r !== 'object') return '';
		if (op === 'translate' || (r.steps && r.cr3)) return r.ok ? `${r.addr} → ${r.phys}` : `fault: ${r.fault && r.fault.reason}`;
		const keys = ['addr', 'phys', 'pfn', 'cache', 'zone', 'order', 'size', 'ksize', 'pid', 'outcome', 'slot', 'virt'];
		const parts = [];
		for (const k of keys) if (r[k] !== undefined && r[k] !== null && typeof r[k] !== 'object') parts.push(`${k} ${r[k]}`);
		if (r.child && r.child.pid) parts.push(`child pid ${r.child.pid}`);
		if (Array.isArray(r.pages)) parts.push(`${r.pages.length} page${r.pages.length === 1 ? '' : 's'}`);
		if (r.fault && r.fault.action) parts.push(r.fault.action);
		if (!parts.length) {
			for (const [k, v] of Object.entries(r)) {
				if (typeof v !== 'object') parts.push(`${k} ${v}`);
				if (parts.length >= 4) break;
			}
		}
		return parts.join(' · ');
	}

	addEntry(e) {
		this.count++;
		const ok = !e.error;
		const curl = e.req ? this.curl(e.req) : null;
		const id = `h${this.count}`;
		const r = e.result;
		const actions = [];
		if (curl) actions.push(el('button', { type: 'button', class: 'copy', onclick: () => this.copy(e.req) }, 'Copy as curl'));
		if (ok && r && r.addr && /^0x/.test(r.addr))
			actions.push(el('button', { type: 'button', onclick: () => this.bus.emit('translate', r.addr, e.args && e.args.pid) }, `Walk ${r.addr}`));
		if (ok && e.marks && e.marks.length)
			actions.push(el('button', { type: 'button', onclick: () => this.bus.emit('show-frame', e.marks[0].pfn) }, `Show frame ${hex(e.marks[0].pfn, 5)}`));
		if (ok && (e.op === 'translate' || (e.op === 'access' && r && r.final)))
			actions.push(el('button', { type: 'button', onclick: () => this.bus.emit('goto', 'walk') }, 'Show the walk'));
		const li = el('li', { class: `hist ${ok ? 'ok' : 'err'}`, id, 'data-op': e.op },
			el('div', { class: 'h-top' },
				el('span', { class: 'h-op' }, e.op.replace(/^report:/, '/proc/').replace(/^machine:/, '')),
				el('span', { class: 'h-status' }, e.status ? `HTTP ${e.status}` : 'not sent'),
				el('time', { datetime: (e.time || new Date()).toISOString() }, (e.time || new Date()).toLocaleTimeString('en-GB'))),
			ok ? el('p', { class: 'h-sum' }, this.summary(e.op, r) || (e.text ? e.text.split('\n').slice(0, 2).join(' ') : 'done'))
				: el('p', { class: 'h-err', role: 'alert' }, `Refused: ${e.error}`),
			el('div', { class: 'h-actions' }, actions),
			el('details', {}, el('summary', {}, ok ? 'The command and its answer' : 'The command and the problem'),
				curl ? el('pre', { class: 'curl' }, curl) : null,
				el('pre', { class: 'json' }, e.text ?? JSON.stringify(ok ? r : e.problem, null, 2))));
		this.hist.prepend(li);
		while (this.hist.children.length > 100) this.hist.lastChild.remove();
		$('#history-count', this.root).textContent = `${this.count} operation${this.count === 1 ? '' : 's'} run from this page`;
		return li;
	}

	async copy(req) {
		const text = this.curl(req);
		const how = this.inlineToken.checked ? 'The token is in it: do not share it.'
			: 'It uses $TOKEN: set TOKEN in your terminal first (the “Terminal setup” button above).';
		this.lastCopied = text;
		if (await copyText(text)) this.toast(`Copied the curl command. ${how}`);
		else this.toast('The browser refused the clipboard: open “The command and its answer” and copy it from there.', true);
	}
}

// The clipboard API where the page is a secure context (localhost), the
// old execCommand elsewhere (a class server over plain http).
export async function copyText(text) {
	try {
		if (navigator.clipboard && window.isSecureContext) {
			await navigator.clipboard.writeText(text);
			return true;
		}
	} catch { /* fall through */ }
	const back = document.activeElement;
	const ta = el('textarea', { style: { position: 'fixed', top: '-1000px', opacity: '0' }, 'aria-hidden': 'true' });
	ta.value = text;
	document.body.append(ta);
	ta.select();
	let ok = false;
	try { ok = document.execCommand('copy'); } catch { ok = false; }
	ta.remove();
	if (back && back.focus) back.focus();
	return ok;
}
