// app.js - the page: create or open a machine, the tabs, the header's
// live status, the alert that shows every API error in plain words, and
// the frame details every view shares.

import { $, $$, el, hex, size, Bus, PAGE_SIZE } from './util.js';
import { Client, stats, curlFor } from './api.js';
import { Machine } from './machine.js';
import { PhysMap, describeFrame } from './physmap.js';
import { VirtMap } from './virtmap.js';
import { WalkView } from './walk.js';
import { Allocators, Processes } from './panels.js';
import { Console, copyText } from './console.js';
import { Exercises } from './exercise.js';
import { Teacher } from './teach.js';
import { watchScrollers } from './scrollhint.js';
import { Timeline } from './history.js';

const SESSION_KEY = 'mmlab.machine';
const EX_KEY = 'mmlab.exercise';
const DOCK = window.matchMedia('(min-width: 1100px)');

const bus = new Bus();
const client = new Client();
const machine = new Machine(client, bus);

// --- messages ------------------------------------------------------------------

function showAlert(text) {
	$('#alert-text').textContent = text;
	$('#alert').hidden = false;
}
function clearAlert() { $('#alert').hidden = true; }
$('#alert-close').addEventListener('click', clearAlert);

let toastTimer = 0;
function toast(text, isError = false) {
	if (isError) { showAlert(text); return; }
	const t = $('#toast');
	t.textContent = text;
	t.classList.add('on');
	clearTimeout(toastTimer);
	toastTimer = setTimeout(() => t.classList.remove('on'), 5000);
}

bus.on('error', (e, where) => {
	if (!e) { if ($('#alert').dataset.live) { clearAlert(); delete $('#alert').dataset.live; } return; }
	if (where === 'live') {
		$('#alert').dataset.live = '1';
		if (e.status === 404) {
			showAlert(`This machine is gone: ${e.message} It may have been deleted or expired; boot a new one.`);
			$('#live').textContent = 'not live: the machine is gone';
		} else {
			showAlert(`Lost touch with the machine: ${e.message} Retrying.`);
			$('#live').textContent = 'not live: retrying';
		}
	} else showAlert(e.message);
});
window.addEventListener('unhandledrejection', (ev) => {
	ev.preventDefault();
	showAlert(ev.reason && ev.reason.message ? ev.reason.message : String(ev.reason));
});

// --- views ---------------------------------------------------------------------

const physmap = new PhysMap($('#panel-physical'), machine, bus);
const virtmap = new VirtMap($('#panel-virtual'), machine, bus);
const walk = new WalkView($('#panel-walk'), machine, bus, client, async (text) => {
	if (await copyText(text)) toast('Copied the curl command (it uses $TOKEN).');
});
const allocators = new Allocators($('#panel-alloc'), machine, bus);
const processes = new Processes($('#panel-procs'), machine, bus, {
	showInMap: (pid) => { selectTab('virtual'); virtmap.setProcess(pid); },
	translate: (addr, pid) => { walk.prefill(addr, pid); selectTab('walk'); walk.run(); },
});
const cons = new Console($('#panel-console'), machine, bus, client, toast);
const timeline = new Timeline($('#panel-history'), machine, bus, client, toast);
const VIEWS = { physical: physmap, virtual: virtmap, alloc: allocators, procs: processes, history: timeline, walk: null, console: null, exercise: null };

async function copyCurl(text) {
	cons.lastCopied = text;
	if (await copyText(text)) toast('Copied the curl command. It uses $TOKEN (or $INSTRUCTOR): set it in your terminal first.');
	else showAlert(`The browser refused the clipboard. The command is: ${text}`);
}
const exercises = new Exercises({
	client, machine, bus, console: cons, walk,
	openMachine: (id, token) => open(id, token),
	selectTab: (name) => selectTab(name),
	toast, copy: copyCurl,
	docked: () => DOCK.matches,
	remember: (id, token) => { try { sessionStorage.setItem(EX_KEY, JSON.stringify({ id, token })); } catch { /* private mode */ } },
});
const teacher = new Teacher({ client, toast, copy: copyCurl });

bus.on('data', () => {
	for (const [name, v] of Object.entries(VIEWS)) if (v && current === name) v.show(true);
	updateHeader();
	refreshInfo();
});
bus.on('marks', () => { if (current === 'physical') physmap.render(); if (current === 'virtual') virtmap.render(); });
bus.on('goto', (name) => selectTab(name));
bus.on('show-frame', (pfn) => {
	selectTab('physical');
	physmap.zoomToFrame(pfn);
	bus.emit('describe', pfn);
	$('#pm-canvas').focus();
});
bus.on('translate', (addr, pid) => { walk.prefill(addr, pid); selectTab('walk'); walk.run(); });

// --- tabs (the WAI-ARIA pattern: arrows move, Home/End, automatic activation) ---

let current = 'physical';
const tabs = $$('.tabs [role=tab]');

function selectTab(name, focus = false) {
	if (name === 'console' && DOCK.matches) { $('#op-select').focus(); return; }
	current = name;
	for (const t of tabs) {
		const on = t.id === `tab-${name}`;
		t.setAttribute('aria-selected', String(on));
		t.tabIndex = on ? 0 : -1;
		if (on && focus) t.focus();
	}
	for (const p of $$('[data-view]')) {
		if (p.id === 'panel-console' && DOCK.matches) continue;
		p.hidden = p.dataset.view !== name;
	}
	for (const [n, v] of Object.entries(VIEWS)) if (v) v.show(n === name);
}

for (const t of tabs) {
	t.addEventListener('click', () => selectTab(t.id.slice(4)));
	t.addEventListener('keydown', (e) => {
		const vis = tabs.filter((x) => x.offsetParent !== null);
		const i = vis.indexOf(t);
		let j = null;
		if (e.key === 'ArrowRight') j = (i + 1) % vis.length;
		else if (e.key === 'ArrowLeft') j = (i - 1 + vis.length) % vis.length;
		else if (e.key === 'Home') j = 0;
		else if (e.key === 'End') j = vis.length - 1;
		if (j === null) return;
		e.preventDefault();
		selectTab(vis[j].id.slice(4), true);
	});
}

// On a wide screen the console is docked beside every view; on a narrow
// one it is a tab of its own.
function dock() {
	const aside = $('#panel-console');
	document.body.classList.toggle('docked', DOCK.matches);
	if (DOCK.matches) {
		aside.setAttribute('role', 'complementary');
		aside.hidden = false;
		if (current === 'console') selectTab('physical');
	} else {
		aside.setAttribute('role', 'tabpanel');
		aside.setAttribute('aria-labelledby', 'tab-console');
		aside.hidden = current !== 'console';
	}
	if (DOCK.matches) aside.setAttribute('aria-labelledby', 'console-h');
	exercises.place();
}
DOCK.addEventListener('change', dock);

// --- the selected frame, in words (every view shares it) -----------------------

let infoPfn = null;
let infoVa = null;
bus.on('describe', (pfn) => { infoPfn = pfn; infoVa = null; refreshInfo(); });
bus.on('describe-va', (va, lines) => { infoVa = { va, lines }; refreshInfo(); });

function refreshInfo() {
	const boxes = $$('.frame-info');
	if (infoVa) {
		const { va, lines } = infoVa;
		for (const b of boxes) b.replaceChildren(el('h3', {}, `Address ${hex(va)}`),
			el('ul', {}, lines.map((l) => el('li', {}, l))),
			el('button', { type: 'button', onclick: () => bus.emit('translate', hex(va), virtmap.pid || undefined) }, `Walk ${hex(va)}`));
		return;
	}
	if (infoPfn === null || !machine.frames) {
		for (const b of boxes) b.replaceChildren(el('p', { class: 'empty' }, 'Choose a frame to see its address, zone, owner and every virtual address that maps it.'));
		return;
	}
	const d = describeFrame(machine, infoPfn);
	for (const b of boxes) {
		b.replaceChildren(
			el('h3', {}, d.title),
			el('dl', { class: 'kv' }, d.rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
			el('h4', {}, d.maps.length ? 'Mapped at' : 'Mapped at: no virtual address'),
			d.maps.length ? el('ul', { class: 'maps' }, d.maps.slice(0, 24).map((x) => el('li', {},
				el('button', { type: 'button', class: 'link', onclick: () => bus.emit('translate', hex(x.va), x.pid) }, hex(x.va)),
				` ${x.how}`)), d.maps.length > 24 ? el('li', {}, `… and ${d.maps.length - 24} more`) : null)
				: el('p', { class: 'hint' }, machine.isLowmem(infoPfn) ? '' :
					'A HighMem frame has no kernel address until something maps it: kmap, vmalloc, or a process.'));
	}
}

// --- header --------------------------------------------------------------------

function updateHeader() {
	const info = machine.info;
	if (!info) return;
	const c = info.config || {};
	const L = machine.layout;
	$('#mach-summary').replaceChildren(
		el('strong', {}, info.name ? `${info.name} · ` : '', info.id),
		` · ${size(c.ram || 0)} RAM · ${c.pae ? '686-pae' : '686'} · VMSPLIT_${c.vmsplit || '3G'} · ` +
		`${c.cpus} CPU${c.cpus === 1 ? '' : 's'} · seed ${c.seed}` +
		(c.boot === 'bare' ? ' · bare' : '') +
		(c.cmdline ? ` · “${c.cmdline}”` : '') +
		(L ? ` · lowmem ${size(L.max_low_pfn * PAGE_SIZE)}` : ''));
	const live = `live · generation ${machine.generation}`;
	if ($('#live').textContent !== live) $('#live').textContent = live;
	document.title = `${info.name || info.id} — mmlab`;
}

bus.on('poll', () => {
	if (!machine.info) return;
	// the time of the last look is not announced: only a new generation is
	$('#checked').textContent = `· checked ${new Date().toLocaleTimeString('en-GB')}`;
});

setInterval(() => {
	const secs = (performance.now() - stats.since) / 1000;
	if (!machine.info || secs < 1) return;
	$('#cost').textContent = `Since it opened this machine, the page made ${stats.requests} requests ` +
		`(${(stats.requests / secs).toFixed(1)} a second; ${stats.polls} were polls, ${stats.notModified} answered ` +
		`304 Not Modified), about ${size(stats.bytesIn)} in and ${size(stats.bytesOut)} out.`;
}, 2000);

// --- opening a machine ---------------------------------------------------------

function saveSession(id, token) {
	try { sessionStorage.setItem(SESSION_KEY, JSON.stringify({ id, token })); } catch { /* private mode */ }
}
function loadSession() {
	try { return JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null'); } catch { return null; }
}
function dropSession() { try { sessionStorage.removeItem(SESSION_KEY); sessionStorage.removeItem(EX_KEY); } catch { /* nothing */ } }
function loadExSession() {
	try { return JSON.parse(sessionStorage.getItem(EX_KEY) || 'null'); } catch { return null; }
}

function showStart() {
	machine.reset();
	exercises.close();
	$('#teach').hidden = true;
	$('#start').hidden = false;
	$('#workspace').hidden = true;
	$('#machine-bar').hidden = true;
	document.title = 'mmlab — see the machine';
}

async function open(id, token) {
	clearAlert();
	$('#live').textContent = 'opening…';
	try {
		await machine.open(id, token);
	} catch (e) {
		dropSession();
		showStart();
		$('#o-id').value = id;
		const why = e.status === 404
			? `Could not open machine ${id}: there is no machine with that id for this token. ` +
			  'Check both (the token is the one POST /v1/machines gave when the machine was made), or boot a new machine.'
			: `Could not open machine ${id}: ${e.message}`;
		showAlert(why);
		return false;
	}
	saveSession(id, token);
	const kind = noteInstructor();
	stats.reset();
	if (exercises.ex && exercises.ex.machine.id !== id) exercises.close();
	$('#start').hidden = true;
	$('#teach').hidden = true;
	$('#workspace').hidden = false;
	$('#machine-bar').hidden = false;
	dock();
	selectTab(current === 'console' && DOCK.matches ? 'physical' : current);
	updateHeader();
	refreshInfo();
	await kind;
	return true;
}

// The instructor token reads every machine and may reset or delete it,
// but runs no operation on it (403 read-only-token): say so, and offer
// no Run that would only be refused.  GET /v1/me names the token's kind.
async function noteInstructor() {
	let kind = null;
	try {
		kind = (await client.request('GET', '/v1/me')).data.token_kind;
	} catch { /* an older server: every Run stays offered */ }
	const on = kind === 'instructor';
	document.body.classList.toggle('instructor', on);
	$('#ro-badge').hidden = !on;
	// a share link would hand the instructor token to whoever gets it
	$('#share').hidden = on;
	cons.setReadOnly(on);
	timeline.setReadOnly(on);
}

$('#create-form').addEventListener('submit', async (e) => {
	e.preventDefault();
	const f = e.target;
	const cfg = { ram: f.ram.value.trim(), pae: f.pae.checked, vmsplit: f.vmsplit.value, cpus: Number(f.cpus.value), boot: f.boot.value };
	if (f.seed.value !== '') cfg.seed = Number(f.seed.value);
	if (f.cmdline.value.trim()) cfg.cmdline = f.cmdline.value.trim();
	if (f.name.value.trim()) cfg.name = f.name.value.trim();
	const btn = $('#c-submit');
	btn.disabled = true;
	btn.textContent = 'Booting…';
	try {
		client.token = null;
		const r = await client.request('POST', '/v1/machines', { body: cfg, auth: false });
		await open(r.data.id, r.data.token);
		toast(`Machine ${r.data.id} booted. Its token is kept in this tab only; “Copy share link” opens it elsewhere.`);
	} catch (err) {
		showAlert(`The machine did not boot: ${err.message}`);
	} finally {
		btn.disabled = false;
		btn.textContent = 'Boot the machine';
	}
});

$('#open-form').addEventListener('submit', (e) => {
	e.preventDefault();
	open(e.target.id.value.trim(), e.target.token.value.trim());
});

$('#share').addEventListener('click', async () => {
	const url = `${location.origin}/?machine=${encodeURIComponent(client.id)}&token=${encodeURIComponent(client.token)}`;
	if (await copyText(url)) toast('Copied the share link. Anyone who has it can change this machine.');
	else showAlert(`The browser refused the clipboard. The link is: ${url}`);
});
$('#setup').addEventListener('click', async () => {
	const text = `ID=${client.id}; TOKEN=${client.token}`;
	if (await copyText(text)) toast('Copied “ID=…; TOKEN=…”: paste it into your terminal, then the copied curl commands run as they are.');
	else showAlert(`The browser refused the clipboard. Type in your terminal: ${text}`);
});
$('#close').addEventListener('click', () => {
	dropSession();
	showStart();
	clearAlert();
	$('#c-ram').focus();
});
$('#home').addEventListener('click', (e) => { if (machine.info) { e.preventDefault(); selectTab(exercises.ex ? 'exercise' : 'physical', true); } });

// --- exercises from the start page --------------------------------------------------

exercises.picker($('#ex-pick-start'), 'exs');
exercises.picker($('#ex-pick-work'), 'exw');

async function showMine(token) {
	const box = $('#ex-start-list');
	try {
		await exercises.loadMine(token, box);
		exercises.token = token;
	} catch (err) {
		box.replaceChildren(el('p', { class: 'error', role: 'alert' }, err.status === 401 || err.status === 403 || err.status === 404
			? `That token has no exercises here (${err.message})` : err.message));
	}
}
$('#ex-token-form').addEventListener('submit', (e) => {
	e.preventDefault();
	showMine(e.target.token.value.trim());
});
$('#ex-join-form').addEventListener('submit', async (e) => {
	e.preventDefault();
	const code = e.target.code.value.trim(), name = e.target.name.value.trim();
	const mine = $('#ex-token').value.trim();
	try {
		// a re-join with the student's own token gives the same student back
		const r = await client.request('POST', `/v1/classes/${encodeURIComponent(code)}/join`,
			{ body: { name }, auth: !!mine, token: mine || null });
		$('#ex-token').value = r.data.token;
		toast(`You joined ${r.data.class.name} as ${r.data.student.name}. Keep your token: it is your place on the roster.`);
		// the join's answer lists the assignments as GET /v1/me does
		exercises.token = r.data.token;
		$('#ex-start-list').replaceChildren(exercises.mineView({
			token_kind: 'student', student: { ...r.data.student, class: r.data.class }, assignments: r.data.assignments || [],
		}, r.data.token));
	} catch (err) {
		showAlert(`Could not join ${code}: ${err.message}`);
	}
});
$('#ex-join-curl').addEventListener('click', () => {
	const code = $('#ex-join-code').value.trim() || 'CODE';
	copyCurl(curlFor('POST', `/v1/classes/${encodeURIComponent(code)}/join`, { name: $('#ex-join-name').value.trim() }, { auth: false }));
});
$('#teach-form').addEventListener('submit', async (e) => {
	e.preventDefault();
	clearAlert();
	try {
		await teacher.open(e.target.token.value.trim());
	} catch (err) {
		showAlert(`The gradebook did not open: ${err.message}`);
		return;
	}
	$('#start').hidden = true;
	$('#teach').hidden = false;
	$('#teach-title').focus();
});
$('#teach-close').addEventListener('click', () => {
	teacher.close();
	$('#teach').hidden = true;
	$('#start').hidden = false;
});

// --- start ----------------------------------------------------------------------

async function main() {
	dock();
	watchScrollers();
	await Promise.all([cons.load(), exercises.loadCatalogue()]);
	const q = new URLSearchParams(location.search);
	const id = q.get('machine'), token = q.get('token');
	if (id && token) {
		// the token leaves the address bar (and the history) at once
		history.replaceState(null, '', location.pathname);
		await open(id, token);
		return;
	}
	if (id) $('#o-id').value = id;
	const xs = loadExSession();
	if (xs && xs.id && xs.token) {
		try { if (await exercises.open(xs.id, xs.token)) return; } catch { /* gone: start again */ }
	}
	const s = loadSession();
	if (s && s.id && s.token && await open(s.id, s.token)) return;
	showStart();
}

// for the end-to-end test, and for the curious in the devtools
window.mmlab = { machine, physmap, virtmap, walk, console: cons, stats, bus, exercises, teacher, timeline };
main();
