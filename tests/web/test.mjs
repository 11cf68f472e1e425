// tests/web/test.mjs BASE_URL ARTIFACTS_DIR - mmlab's web page end to end
// in Debian's headless Chromium, driven by playwright-core.
//
// Boots a machine from the page's form, runs kmalloc, vmalloc, translate
// and a process from the operations console, and checks that the maps
// (canvas pixels), the tables and the walk show them; that a change made
// with curl shows on the open page within a second; that the copied curl
// command runs as it is; that a wrong token and a refused operation are
// said in plain words; that the console logs no error.  Measures what the
// live polling costs.  Saves a screenshot of each view at 1280x800 and
// 390x844.  Every view passes axe-core's WCAG 2 A and AA rules with no
// violation.  The History tab lists the changes, shows a report as it was
// at generation 0, and undoes the last change.  Then the Exercises tab
// (exercises.mjs).

import { chromium } from 'playwright-core';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exerciseTests } from './exercises.mjs';

const BASE = process.argv[2] || 'http://127.0.0.1:8080/';
const OUT = process.argv[3] || 'build/web-artifacts';
const T0 = Date.now();
const HERE = dirname(fileURLToPath(import.meta.url));
const AXE = await readFile(join(HERE, 'node_modules/axe-core/axe.min.js'), 'utf8');
let passed = 0, failed = 0;

function check(name, ok, detail = '') {
	if (ok) { passed++; console.log(`  ok   ${name}`); }
	else { failed++; console.log(`  FAIL ${name}${detail ? ': ' + detail : ''}`); }
	return ok;
}

function sh(cmd, env = {}) {
	return new Promise((resolve) => {
		execFile('sh', ['-c', cmd], { env: { ...process.env, ...env }, timeout: 10000 }, (err, stdout, stderr) =>
			resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }));
	});
}

async function api(method, path, token, body) {
	const headers = { 'Content-Type': 'application/json' };
	if (token) headers.Authorization = `Bearer ${token}`;
	const r = await fetch(new URL(path, BASE), {
		method, headers,
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: r.status, data: await r.json().catch(() => null) };
}

const hexColour = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const near = (a, b, tol = 40) => a && b && a.every((v, i) => Math.abs(v - b[i]) <= tol);

// the colour of a CSS pixel of a canvas, from its backing store
async function pixel(page, canvasSel, x, y) {
	return page.evaluate(([sel, x, y]) => {
		const c = document.querySelector(sel);
		const k = c.width / c.getBoundingClientRect().width;
		const d = c.getContext('2d').getImageData(Math.floor(x * k), Math.floor(y * k), 1, 1).data;
		return [d[0], d[1], d[2]];
	}, [canvasSel, x, y]);
}

async function shot(page, name) {
	await page.evaluate(() => document.querySelector('#toast').classList.remove('on'));
	await page.waitForTimeout(250);
	await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

// axe-core's WCAG 2 A and AA rules on the page as it is: no violation
async function axe(page, name) {
	// not in the middle of a fade-in: axe would measure the contrast half-way
	await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
	if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ content: AXE });
	const r = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } }));
	const v = r.violations.map((x) => `${x.id} (${x.impact}): ${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
	return check(`axe: ${name}: no WCAG 2 A/AA violation`, v.length === 0, v.join(' | '));
}

async function tab(page, name) {
	const t = page.locator(`#tab-${name}`);
	if (await t.isVisible()) await t.click();
	await page.waitForTimeout(150);
}

async function runOp(page, op, fields = {}) {
	const before = await page.locator('#history > li').count();
	if (!(await page.locator('#op-select').isVisible())) await tab(page, 'console');
	await page.selectOption('#op-select', op);
	for (const [k, v] of Object.entries(fields)) {
		const f = page.locator(`#f-${k}`);
		if (await f.evaluate((e) => e.tagName === 'SELECT')) await f.selectOption(String(v));
		else await f.fill(String(v));
	}
	await page.click('#op-run');
	await page.waitForFunction((n) => document.querySelectorAll('#history > li').length > n, before);
	const li = page.locator('#history > li').first();
	const json = await li.locator('pre.json').textContent();
	let result = null;
	try { result = JSON.parse(json); } catch { result = null; }
	return { li, result, text: await li.textContent() };
}

async function waitGeneration(page, gen, ms = 3000) {
	await page.waitForFunction((g) => window.mmlab.machine.generation >= g, gen, { timeout: ms });
}

// The physical map's axis: round addresses (every label a multiple of
// the power-of-two step between labels) and none cut by the canvas's edges.
async function axisOk(page, name) {
	const a = await page.evaluate(() => {
		const pm = window.mmlab.physmap, g = pm.geom;
		return { labels: pm.axisLabels, H: g.H, ML: g.ML };
	});
	const L = a.labels || [];
	const step = L.length > 1 ? L[1].phys - L[0].phys : 0;
	const round = L.length > 1 && (step & (step - 1)) === 0 && step >= 4096 && L.every((l) => l.phys % step === 0);
	check(`${name}: the physical map's axis names round addresses`, round, L.map((l) => l.label).join(' '));
	const cut = L.filter((l) => l.y - l.h / 2 < 0 || l.y + l.h / 2 > a.H || l.w > a.ML - 6);
	check(`${name}: no axis label is clipped`, L.length > 1 && cut.length === 0, JSON.stringify(cut.slice(0, 3)));
}

// every box that scrolls sideways says so: a visible line, and a name
async function scrollersSayIt(page, name) {
	const r = await page.evaluate(() => [...document.querySelectorAll('.scroll')].filter((b) => b.offsetParent !== null).map((b) => {
		const hint = b.previousElementSibling;
		return {
			over: b.scrollWidth > b.clientWidth + 1,
			hint: !!hint && hint.classList.contains('scroll-hint') && hint.offsetParent !== null,
			label: b.getAttribute('aria-label') || (b.getAttribute('aria-labelledby') ? 'named: scroll sideways' : ''),
			role: b.getAttribute('role'), tab: b.tabIndex,
		};
	}));
	const over = r.filter((x) => x.over);
	const silent = over.filter((x) => !x.hint || !/scroll sideways/.test(x.label) || x.role !== 'region' || x.tab !== 0);
	check(`${name}: every table that scrolls sideways says so (${over.length} of ${r.length})`, over.length > 0 && silent.length === 0,
		JSON.stringify(silent.slice(0, 2)));
	const quiet = r.filter((x) => !x.over && x.hint);
	check(`${name}: a table that fits has no scroll hint`, quiet.length === 0, JSON.stringify(quiet.slice(0, 2)));
}

// the CSS pixels of a colour in the (2r+1)² box around a point of a canvas
async function colourAround(page, sel, x, y, rgb, r = 8) {
	return page.evaluate(([sel, x, y, rgb, r]) => {
		const c = document.querySelector(sel);
		const k = c.width / c.getBoundingClientRect().width;
		const x0 = Math.max(0, Math.floor((x - r) * k)), y0 = Math.max(0, Math.floor((y - r) * k));
		const w = Math.ceil((2 * r + 1) * k);
		const d = c.getContext('2d').getImageData(x0, y0, w, w).data;
		let n = 0;
		for (let i = 0; i < d.length; i += 4)
			if (Math.abs(d[i] - rgb[0]) <= 24 && Math.abs(d[i + 1] - rgb[1]) <= 24 && Math.abs(d[i + 2] - rgb[2]) <= 24) n++;
		return n / (k * k);
	}, [sel, x, y, rgb, r]);
}

// --------------------------------------------------------------------------------

await mkdir(OUT, { recursive: true });
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none'],
});
const timings = {};
let failure = null;

try {
	// ---- 1280x800: boot a machine from the form ----------------------------------
	console.log('== 1280x800');
	const wide = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
	const page = await wide.newPage();
	const consoleErrors = [];
	page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push({ text: m.text(), url: m.location().url || '' }); });
	page.on('pageerror', (e) => consoleErrors.push({ text: e.message, url: 'pageerror' }));

	await page.goto(BASE);
	await page.waitForSelector('#start:not([hidden])');
	check('the start page offers to boot or open a machine',
		await page.locator('#create-form').isVisible() && await page.locator('#open-form').isVisible());
	await shot(page, 'wide-start');

	await page.fill('#c-ram', '2G');
	await page.fill('#c-cpus', '2');
	await page.fill('#c-seed', '7');
	await page.fill('#c-cmdline', 'norandmaps');
	await page.click('#c-submit');
	await page.waitForSelector('#workspace:not([hidden])', { timeout: 10000 });
	await page.waitForFunction(() => window.mmlab.machine.frames && window.mmlab.machine.generation === 0);
	const id = await page.evaluate(() => window.mmlab.machine.id);
	const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('mmlab.machine')).token);
	check('the form booted a machine and the token is in sessionStorage', /^a-[0-9a-f]+$/.test(id) && /^[0-9a-f]{32}$/.test(token), id);
	const header = await page.locator('#mach-summary').textContent();
	const bootState = await page.evaluate(() => window.mmlab.machine.info.config.boot);
	check('the form boots a booted machine by default', bootState === 'booted', bootState);
	check('the header shows the configuration', header.includes('2 GiB') && header.includes('2 CPUs') && header.includes('seed 7') && header.includes('norandmaps'), header);

	// the physical map is drawn
	const painted = await page.evaluate(() => {
		const c = document.querySelector('#pm-canvas');
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		const colours = new Set();
		for (let i = 0; i < d.length; i += 4 * 7) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
		return colours.size;
	});
	check('the physical map is painted in several colours', painted >= 6, `${painted} colours`);

	// ---- kmalloc from the console --------------------------------------------------
	let t = Date.now();
	// a booted machine's kmalloc-128 already holds the boot's objects
	const k128Before = ((await api('GET', `/v1/machines/${id}/proc/slabinfo`, token)).data
		.find((c) => c.name === 'kmalloc-128') || { active_objs: 0 }).active_objs;
	const km = await runOp(page, 'kmalloc', { size: 100 });
	check('kmalloc from the console answers in the history', km.result && km.result.cache === 'kmalloc-128', km.text);
	await waitGeneration(page, 1);
	timings.kmalloc_to_page_ms = Date.now() - t;
	const slabPfn = parseInt(km.result.slab.pfn, 16);
	const slabColour = hexColour('#f28500');
	await tab(page, 'physical');
	const frameRect = (pfn) => page.evaluate((pfn) => { window.mmlab.physmap.zoomToFrame(pfn); return window.mmlab.physmap.cellRect(pfn); }, pfn);
	let rect = await frameRect(slabPfn);
	check('the slab frame is in view of the physical map', !!rect);
	if (rect) {
		const px = await pixel(page, '#pm-canvas', rect.x + rect.w / 2, rect.y + rect.h / 2);
		check('the physical map paints the slab frame in the slab colour', near(px, slabColour), `pixel ${px} at pfn ${slabPfn.toString(16)}`);
		const box = await page.locator('#pm-canvas').boundingBox();
		await page.mouse.click(box.x + rect.x + rect.w / 2, box.y + rect.y + rect.h / 2);
		const info = await page.locator('#frame-info').textContent();
		check('clicking the frame describes its owner', info.includes('slab of cache kmalloc-128'), info.slice(0, 200));
		// the frame's linear address: the object's, less its offset in the page
		const pageVa = km.result.addr.toLowerCase().slice(0, -3) + '000';
		check('… and every address that maps it (the linear map)', info.toLowerCase().includes(pageVa), info.slice(0, 300));
	}
	await tab(page, 'alloc');
	const slabRow = page.locator('#slab tr[data-cache="kmalloc-128"]');
	check('the slab table lists kmalloc-128 with its object', (await slabRow.count()) === 1 && (await slabRow.textContent()).includes(`${k128Before + 1} / `),
		(await slabRow.count()) ? await slabRow.textContent() : 'no row');

	// ---- vmalloc ---------------------------------------------------------------------------
	t = Date.now();
	const vm = await runOp(page, 'vmalloc', { size: '16K' });
	check('vmalloc from the console answers with its pages', vm.result && vm.result.pages && vm.result.pages.length === 4, vm.text);
	await waitGeneration(page, 2);
	timings.vmalloc_to_page_ms = Date.now() - t;
	const vmRow = page.locator(`#vmalloc tr[data-start="${vm.result.addr}"]`);
	await tab(page, 'alloc');
	const vmText = (await vmRow.count()) === 1 ? await vmRow.textContent() : '';
	check('the vmalloc table shows the area and its frames', vm.result.pages.every((pg) =>
		vmText.includes(`0x${parseInt(pg.pfn, 16).toString(16).padStart(5, '0')}`)), vmText || 'no row');
	const hiPage = vm.result.pages.find((p) => p.zone === 'HighMem') || vm.result.pages[0];
	const hiPfn = parseInt(hiPage.pfn, 16);
	await tab(page, 'physical');
	rect = await frameRect(hiPfn);
	if (check('the vmalloc frame is in view of the physical map', !!rect)) {
		const px = await pixel(page, '#pm-canvas', rect.x + rect.w / 2, rect.y + rect.h / 2);
		check('the physical map paints the vmalloc frame blue', near(px, hexColour('#1565c0')), `pixel ${px}`);
		const box = await page.locator('#pm-canvas').boundingBox();
		await page.mouse.click(box.x + rect.x + rect.w / 2, box.y + rect.y + rect.h / 2);
		const info = await page.locator('#frame-info').textContent();
		check('the frame knows its vmalloc address', info.includes(hiPage.va) && info.includes('vmalloc'), info.slice(0, 300));
	}
	await shot(page, 'wide-physical-frames');
	await page.click('#pm-fit');
	await axisOk(page, '1280x800');
	await shot(page, 'wide-physical');
	await page.check('input[name=pm-colour][value=zone]');
	const zpx = await page.evaluate(() => { const r = window.mmlab.physmap.cellRect(0x1000); return r; });
	const zonePx = await pixel(page, '#pm-canvas', zpx.x + zpx.w / 2, zpx.y + zpx.h / 2);
	check('coloured by zone, ZONE_NORMAL is green', near(zonePx, hexColour('#3a9d23')), `pixel ${zonePx}`);
	await shot(page, 'wide-physical-zones');
	await page.check('input[name=pm-colour][value=owner]');

	// the virtual map: lines fan out from the vmalloc area to its frames
	await tab(page, 'virtual');
	await page.click('#vm-top');
	await page.waitForTimeout(100);
	const vinfo = await page.evaluate((va) => {
		const v = window.mmlab.virtmap;
		return { links: v.drawnLinks, x: v.xv(parseInt(va, 16) + 2048), g: v.geom };
	}, vm.result.addr);
	check('the virtual map draws a line per vmalloc page', vinfo.links >= 4, `${vinfo.links} lines`);
	const vpx = await pixel(page, '#vm-canvas', vinfo.x, vinfo.g.vTop + vinfo.g.vBand + 6);
	check('the virtual strip paints the vmalloc area', near(vpx, hexColour('#1565c0')), `pixel ${vpx}`);
	const linkPx = await page.evaluate(([pfn]) => {
		const v = window.mmlab.virtmap;
		return { x: v.xp(pfn + 0.5), y: v.geom.pTop + 10 };
	}, [hiPfn]);
	const ppx = await pixel(page, '#vm-canvas', linkPx.x, linkPx.y);
	check('the physical strip under the lines shows the vmalloc frame', near(ppx, hexColour('#1565c0'), 60), `pixel ${ppx}`);
	const linksText = await page.locator('#vm-links').textContent();
	check('the text alternative names the vmalloc area and its frames', linksText.includes(vm.result.addr) && linksText.includes('vmalloc area'), linksText.slice(0, 300));
	const aria = await page.locator('#vm-canvas').getAttribute('aria-label');
	check('the virtual map has a text alternative', aria && aria.includes('Linear map'), aria);
	await shot(page, 'wide-virtual-vmalloc');
	await page.click('#vm-all');
	await shot(page, 'wide-virtual');

	// ---- translate from the console, shown as a walk ---------------------------------------
	const tr = await runOp(page, 'translate', { addr: km.result.addr });
	check('translate from the console answers', tr.result && tr.result.ok && tr.result.phys === km.result.phys, tr.text);
	await page.locator('#history > li').first().getByRole('button', { name: 'Show the walk' }).click();
	await page.waitForSelector('#panel-walk:not([hidden]) ol.steps > li');
	const firstCount = await page.locator('ol.steps > li').count();
	await page.waitForFunction((n) => document.querySelectorAll('ol.steps > li').length === n, tr.result.steps.length + 1, { timeout: 5000 });
	check('the walk appears one step at a time', firstCount < tr.result.steps.length + 1, `${firstCount} at first`);
	const step1 = await page.locator('ol.steps > li').first().textContent();
	const s0 = tr.result.steps[0];
	check('step 1 shows the table, index, entry and flags', step1.includes(s0.table) && step1.includes(String(s0.index)) &&
		step1.includes(s0.entry) && step1.includes('PS'), step1);
	const bits = await page.locator('.bits').textContent();
	check('the address is split into its index bits', bits.includes(`pgd index ${s0.index}`), bits);
	const end = await page.locator('ol.steps > li.end').getAttribute('data-phys');
	check('the walk ends in the frame', end === km.result.phys, end);
	await shot(page, 'wide-walk');

	// a fault: the vmalloc area's guard page
	await page.fill('#walk-addr', vm.result.guard);
	await page.click('#walk-go');
	await page.getByRole('button', { name: 'Show all' }).click();
	const fault = await page.locator('ol.steps > li.end').textContent();
	check('a walk into the guard page ends in a fault and says why', /fault/i.test(fault) && /not present/i.test(fault), fault);
	await shot(page, 'wide-walk-fault');

	// ---- a change made with curl shows on the open page within a second --------------------
	const genBefore = await page.evaluate(() => window.mmlab.machine.generation);
	t = Date.now();
	const curl = await sh(`curl -s --fail-with-body -H "Authorization: Bearer $TOKEN" "${BASE}v1/machines/${id}/alloc_pages" -d '{"order":2,"gfp":"GFP_HIGHUSER"}'`, { TOKEN: token });
	const ap = JSON.parse(curl.stdout || 'null');
	check('curl allocated an order-2 block', curl.code === 0 && ap && ap.zone === 'HighMem', curl.stdout + curl.stderr);
	await page.waitForFunction((g) => window.mmlab.machine.generation > g, genBefore, { timeout: 5000 });
	timings.curl_to_page_ms = Date.now() - t;
	check('the change made with curl is on the page within a second', timings.curl_to_page_ms < 1000, `${timings.curl_to_page_ms} ms`);
	await tab(page, 'physical');
	const apPfn = parseInt(ap.pfn, 16);
	rect = await frameRect(apPfn);
	if (rect) {
		const px = await pixel(page, '#pm-canvas', rect.x + rect.w / 2, rect.y + rect.h / 2);
		check('the curl change is painted on the physical map', near(px, hexColour('#d4409b')), `pixel ${px}`);
	} else check('the curl change is in view', false);
	await tab(page, 'alloc');
	const hiRow = await page.locator('#buddy tr[data-zone="HighMem"]').textContent();
	check('the buddy chart is a table per zone and order', hiRow.includes('HighMem'), hiRow);

	// ---- "copy as curl" gives a command that runs as it is ---------------------------------
	const kmEntry = page.locator('#history > li[data-op="kmalloc"]').first();
	await kmEntry.getByRole('button', { name: 'Copy as curl' }).click();
	const copied = await page.evaluate(() => window.mmlab.console.lastCopied);
	check('the copied command is curl with $TOKEN, the machine and the body',
		copied.startsWith('curl ') && copied.includes('$TOKEN') && copied.includes(`/v1/machines/${id}/kmalloc`) && copied.includes('{"size":100}') && !copied.includes(token), copied);
	const again = await sh(copied, { TOKEN: token });
	check('… and it runs in a shell', again.code === 0 && JSON.parse(again.stdout).cache === 'kmalloc-128', again.stdout + again.stderr);

	// ---- a process: create, fault a page in, see it -----------------------------------------
	const pc = await runOp(page, 'process_create', {});
	check('process_create from the console', pc.result && pc.result.pid === 1, pc.text);
	const acc = await runOp(page, 'access', { pid: 1, addr: '0x0804a000', access: 'write' });
	check('access (a write fault) from the console', acc.result && acc.result.outcome === 'handled', acc.text);
	await page.waitForFunction(() => window.mmlab.machine.processes.length === 1 && window.mmlab.machine.processes[0].pages.length > 0);
	await tab(page, 'procs');
	const procText = await page.locator('#procs').textContent();
	check('the processes view lists the VMAs', procText.includes('0x08048000') && procText.includes('/bin/busybox') && procText.includes('[stack]'), procText.slice(0, 200));
	await shot(page, 'wide-processes');
	await page.getByRole('button', { name: 'Show process 1 in the virtual map' }).click();
	await page.waitForTimeout(150);
	const userLinks = await page.evaluate(() => window.mmlab.virtmap.drawnLinks);
	check('the virtual map draws the process page onto its frame', userLinks >= 1, `${userLinks}`);
	await shot(page, 'wide-virtual-process');

	// ---- kmap: a pkmap slot, and the frame's new address ---------------------------------------
	const km2 = await runOp(page, 'kmap', { pfn: '0x7f000' });
	check('kmap from the console gives a pkmap address', km2.result && /^0xfe/.test(km2.result.addr), km2.text);
	await page.waitForFunction(() => (window.mmlab.machine.pkmap.slots || []).length === 1);
	await tab(page, 'alloc');
	const pk = await page.locator('#pkmap').textContent();
	check('the pkmap table shows the slot', pk.includes('1 of 1024') && pk.includes(km2.result.addr), pk);
	const maps7f = await page.evaluate(() => window.mmlab.machine.mappings(0x7f000).map((x) => x.how).join('; '));
	check('the kmapped frame knows its pkmap address', maps7f.includes('pkmap slot'), maps7f);

	// ---- an error from the API is shown in plain words ---------------------------------------
	const bad = await runOp(page, 'kfree', { addr: '0x' + (parseInt(km.result.addr, 16) + 4).toString(16) });
	const err = await bad.li.locator('.h-err').textContent();
	check('a refused operation says why in plain words', err.includes('Invalid object pointer') && err.includes('kfree takes the address'), err);
	await tab(page, 'alloc');
	await shot(page, 'wide-allocators');

	// ---- keyboard and screen reader basics -----------------------------------------------------
	await page.focus('#tab-alloc');
	await page.keyboard.press('ArrowRight');
	check('arrow keys move between the tabs', await page.evaluate(() => document.activeElement.id) === 'tab-procs');
	const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
		.filter((e) => e.offsetParent !== null && !e.labels?.length && !e.getAttribute('aria-label') && !e.closest('label'))
		.map((e) => e.id || e.name));
	check('every visible form control has a label', unlabelled.length === 0, unlabelled.join(', '));
	await tab(page, 'physical');
	await page.focus('#pm-canvas');
	await page.keyboard.press('Home');
	await page.keyboard.press('ArrowRight');
	const kb = await page.locator('#frame-info').textContent();
	check('the map is usable from the keyboard', kb.includes('Frame 0x'), kb.slice(0, 100));
	check('the physical map has a text alternative', (await page.locator('#pm-canvas').getAttribute('aria-label')).includes('zones: DMA'));

	// ---- every tab passes axe-core ------------------------------------------------------------
	for (const name of ['physical', 'virtual', 'walk', 'alloc', 'procs']) {
		await tab(page, name);
		await axe(page, `the ${name} tab`);
	}

	// ---- the History tab: the changes, a report as it was, undo ------------------------------
	await tab(page, 'history');
	await page.waitForFunction(() => document.querySelectorAll('#hist-list > li button').length > 0);
	const g0 = await page.evaluate(() => window.mmlab.machine.generation);
	const histText = await page.locator('#hist-list').textContent();
	check('the History tab lists the changes made from the console', histText.includes('kmalloc {"size":100}') && histText.includes('vmalloc'), histText.slice(0, 200));
	const newest = await page.locator('#hist-list > li').first().locator('button').textContent();
	check('… newest first', Number(newest) === g0, `${newest}, generation ${g0}`);
	await page.selectOption('#hist-report', 'meminfo');
	await page.locator('#hist-at').fill('0');
	await page.waitForFunction(() => document.querySelector('#hist-text-l').textContent === '/proc/meminfo at generation 0');
	const boot = await (await fetch(new URL(`/v1/machines/${id}/proc/meminfo?at=0`, BASE),
		{ headers: { Authorization: `Bearer ${token}`, Accept: 'text/plain' } })).text();
	check('the slider shows the report as it was at generation 0', (await page.locator('#hist-text').textContent()) === boot);
	await axe(page, 'the history tab');
	await page.click('#hist-undo1');
	await waitGeneration(page, g0 + 1);
	const hu = await api('GET', `/v1/machines/${id}/history?from=${g0 + 1}`, token);
	check('Undo the last change: the machine goes back, at a new generation', hu.data.generation === g0 + 1 &&
		hu.data.entries[0].op === 'undo' && hu.data.entries[0].args.to === g0 - 1, JSON.stringify(hu.data.entries));
	await page.waitForFunction((g) => window.mmlab.timeline.shown === g, g0 + 1).catch(() => null);
	const top = await page.locator('#hist-list > li').first().textContent();
	check('… and the list shows the undo', top.startsWith(`${g0 + 1} undo {"to":${g0 - 1}}`), top);
	await shot(page, 'wide-history');
	const redo = await api('POST', `/v1/machines/${id}/undo`, token, { to: g0 });
	check('… which can itself be undone', redo.status === 200 && redo.data.undo.to === g0, JSON.stringify(redo.data));
	await waitGeneration(page, g0 + 2);
	// the tab has read the new generation's history and report before the idle measure
	await page.waitForFunction((g) => window.mmlab.timeline.shown === g &&
		document.querySelector('#hist-text-l').textContent.endsWith(`generation ${g}`), g0 + 2);
	await tab(page, 'procs');

	// ---- what live updates cost: poll with If-None-Match, 304 while nothing changes -----------
	const seen = [];
	const onResp = async (r) => {
		if (!r.url().includes(`/v1/machines/${id}`)) return;
		const s = await r.request().sizes().catch(() => null);
		seen.push({ url: r.url(), status: r.status(), s });
	};
	page.on('response', onResp);
	const idleMs = 5000;
	await page.waitForTimeout(idleMs);
	page.off('response', onResp);
	const polls = seen.filter((x) => x.url.endsWith(`/v1/machines/${id}`));
	const bytes = seen.reduce((a, x) => a + (x.s ? x.s.requestHeadersSize + x.s.requestBodySize + x.s.responseHeadersSize + x.s.responseBodySize : 0), 0);
	timings.idle_requests_per_s = +(seen.length / (idleMs / 1000)).toFixed(2);
	timings.idle_bytes_per_s = Math.round(bytes / (idleMs / 1000));
	timings.idle_304 = polls.filter((x) => x.status === 304).length + '/' + polls.length;
	check('an idle page only polls, and gets 304s', seen.length === polls.length && polls.length >= 4 && polls.every((x) => x.status === 304),
		JSON.stringify(seen.slice(0, 3)));
	check('an idle page stays far under the rate limit (50/s)', timings.idle_requests_per_s <= 3, `${timings.idle_requests_per_s}/s`);

	const errs = consoleErrors.filter((e) => !(e.url.endsWith('/kfree') && e.text.includes('400')));
	check('the browser console logged no error (but the kfree refused on purpose)', errs.length === 0, JSON.stringify(errs));
	await wide.close();

	// ---- 390x844: the share link opens the machine directly ------------------------------------
	console.log('== 390x844');
	const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
	const p2 = await phone.newPage();
	const phoneErrors = [];
	p2.on('console', (m) => { if (m.type() === 'error') phoneErrors.push(m.text()); });
	p2.on('pageerror', (e) => phoneErrors.push(e.message));
	await p2.goto(`${BASE}?machine=${id}&token=${token}`);
	await p2.waitForSelector('#workspace:not([hidden])');
	await p2.waitForFunction(() => window.mmlab.machine.frames !== null);
	check('a share link opens the machine directly', await p2.evaluate(() => window.mmlab.machine.id) === id);
	check('… and the token leaves the address bar', !(await p2.evaluate(() => location.href)).includes(token));
	check('the console is a tab of its own on a phone', await p2.locator('#tab-console').isVisible());
	const overflow = await p2.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	check('nothing is wider than the phone', overflow <= 0, `${overflow} px too wide`);
	const chrome = await p2.evaluate(() => document.querySelector('.tabs').getBoundingClientRect().bottom + window.scrollY);
	check('on a phone the header and the tabs take less than a third of the screen', chrome < 844 / 3, `${Math.round(chrome)} of 844 px`);
	await axisOk(p2, '390x844');
	await p2.locator('#pm-canvas').tap({ position: { x: 120, y: 60 } });
	const tapped = await p2.locator('#frame-info').textContent();
	check('tapping a frame describes it', tapped.includes('physical address'), tapped.slice(0, 100));
	await shot(p2, 'phone-physical');
	await tab(p2, 'virtual');
	await shot(p2, 'phone-virtual');
	await p2.click('#vm-top');
	await shot(p2, 'phone-virtual-vmalloc');
	await tab(p2, 'walk');
	await p2.click('#walk-go');
	await p2.getByRole('button', { name: 'Show all' }).click();
	await shot(p2, 'phone-walk');
	await tab(p2, 'alloc');
	await p2.waitForTimeout(100);
	await scrollersSayIt(p2, 'the allocators on a phone');
	await shot(p2, 'phone-allocators');
	await tab(p2, 'procs');
	await shot(p2, 'phone-processes');
	await tab(p2, 'console');
	const ran = await runOp(p2, 'kmalloc', { size: 200 });
	const where = (li) => {
		const r = li.getBoundingClientRect();
		return { top: Math.round(r.top), bottom: Math.round(r.bottom), h: window.innerHeight };
	};
	await p2.waitForTimeout(300);
	const inView = await ran.li.evaluate(where);
	check('on a phone the console\'s answer is in view after Run, whole', inView.top >= 0 && inView.bottom <= inView.h, JSON.stringify(inView));
	await shot(p2, 'phone-console');
	await axe(p2, 'the console tab on a phone');
	check('the phone page logged no error', phoneErrors.length === 0, phoneErrors.join(' | '));
	await phone.close();

	// ---- 4 GiB: one kmalloc page and a vmalloc area stay visible at "All of RAM" ------------------
	{
		const big = await api('POST', 'v1/machines', null, { ram: '4G', seed: 3 });
		const bt = big.data.token, bid = big.data.id;
		const k4 = await api('POST', `v1/machines/${bid}/kmalloc`, bt, { size: 100 });
		const v4 = await api('POST', `v1/machines/${bid}/vmalloc`, bt, { size: '8K' });
		check('a 4G machine with one kmalloc and one vmalloc', big.status === 201 && k4.status === 200 && v4.status === 200);
		for (const [w, h, tag] of [[1280, 800, 'wide'], [390, 844, 'phone']]) {
			const c = await browser.newContext({ viewport: { width: w, height: h }, deviceScaleFactor: 1 });
			const p = await c.newPage();
			await p.goto(`${BASE}?machine=${bid}&token=${bt}`);
			await p.waitForSelector('#workspace:not([hidden])');
			await p.waitForFunction(() => window.mmlab.machine.frames !== null && window.mmlab.physmap.geom &&
				document.querySelector('#pm-canvas').getBoundingClientRect().width > 0);
			await p.waitForTimeout(200);
			const g = await p.evaluate(() => ({ s: window.mmlab.physmap.geom.s, f: window.mmlab.physmap.geom.f }));
			for (const [what, pfn, colour] of [['the kmalloc page', parseInt(k4.data.slab.pfn, 16), '#f28500'],
				['the vmalloc page', parseInt(v4.data.pages[0].pfn, 16), '#1565c0']]) {
				const r = await p.evaluate((pfn) => window.mmlab.physmap.cellRect(pfn), pfn);
				const n = r ? await colourAround(p, '#pm-canvas', r.x + r.w / 2, r.y + r.h / 2, hexColour(colour)) : 0;
				check(`4G, all of RAM (${tag}, ${g.f} frames in a ${g.s.toFixed(1)} px cell): ${what} is a mark of at least 5x5 px`, n >= 25, `${n} px`);
			}
			await shot(p, `${tag}-physical-4g`);
			await c.close();
		}
	}

	// ---- the instructor's view of a machine: read only, reset allowed ----------------------------
	if (process.env.MMLAB_TEST_INSTRUCTOR) {
		const itok = process.env.MMLAB_TEST_INSTRUCTOR;
		for (const [w, h, tag] of [[1280, 800, 'wide'], [390, 844, 'phone']]) {
			const c = await browser.newContext({ viewport: { width: w, height: h }, deviceScaleFactor: 1 });
			const p = await c.newPage();
			const errs = [];
			p.on('console', (m) => { if (m.type() === 'error') errs.push(m.text()); });
			await p.goto(`${BASE}?machine=${id}&token=${itok}`);
			await p.waitForFunction(() => window.mmlab.machine.frames !== null);
			await p.waitForSelector('#ro-badge:not([hidden])', { timeout: 3000 }).catch(() => null);
			check(`the instructor's view says it is read only (${tag})`, await p.locator('#ro-badge').isVisible() &&
				(await p.locator('#ro-badge').textContent()).includes('read only'));
			check(`… and offers no share link, which would give the instructor token away (${tag})`, !(await p.locator('#share').isVisible()));
			if (!(await p.locator('#op-select').isVisible())) await tab(p, 'console');
			await p.selectOption('#op-select', 'kmalloc');
			check(`… no Run for an operation, with a note why (${tag})`, await p.locator('#op-run').isDisabled() &&
				await p.locator('#op-ro').isVisible() && (await p.locator('#op-ro').textContent()).includes('403 read-only-token'));
			await p.selectOption('#op-select', 'report:meminfo');
			check(`… a report still runs (${tag})`, !(await p.locator('#op-run').isDisabled()));
			await p.selectOption('#op-select', 'machine:reset');
			check(`… and reset is allowed (${tag})`, !(await p.locator('#op-run').isDisabled()));
			if (tag === 'wide') {
				const gen = await p.evaluate(() => window.mmlab.machine.generation);
				await p.click('#op-run');
				await p.waitForFunction(() => document.querySelector('#history > li'));
				const st = await p.locator('#history > li .h-status').first().textContent();
				check('the instructor resets the machine from the page', st === 'HTTP 200', st);
				await p.waitForFunction((g0) => window.mmlab.machine.generation > g0, gen, { timeout: 3000 }).catch(() => null);
			}
			await p.selectOption('#op-select', 'kmalloc');
			await axe(p, `the instructor's console (${tag})`);
			if (await p.locator('#tab-history').count()) {
				await tab(p, 'history');
				await p.waitForTimeout(300);
				check(`… the timeline offers no undo, and says why (${tag})`, await p.locator('#hist-undo1').isDisabled() &&
					await p.locator('#hist-back').isDisabled() && await p.locator('#hist-ro').isVisible());
				if (tag === 'wide') await tab(p, 'physical');
			}
			await shot(p, `${tag}-instructor-console`);
			check(`the instructor's page logged no error (${tag})`, errs.length === 0, errs.join(' | '));
			await c.close();
		}
	}

	// ---- a wrong token: a clear message ----------------------------------------------------------
	for (const [w, h, tag] of [[1280, 800, 'wide'], [390, 844, 'phone']]) {
		const c = await browser.newContext({ viewport: { width: w, height: h }, deviceScaleFactor: 1 });
		const p = await c.newPage();
		await p.goto(`${BASE}?machine=${id}&token=0123456789abcdef0123456789abcdef`);
		await p.waitForSelector('#alert:not([hidden])');
		const msg = await p.locator('#alert-text').textContent();
		if (tag === 'wide') check('a wrong token is said clearly', msg.includes(`Could not open machine ${id}`) && msg.includes('no machine with that id for this token'), msg);
		check(`… and the page offers to open or boot again (${tag})`, await p.locator('#open-form').isVisible() && (await p.inputValue('#o-id')) === id);
		await shot(p, `${tag}-wrong-token`);
		await c.close();
	}
	const left = await api('GET', `v1/machines/${id}`, token);
	check('the machine is still there for its token', left.status === 200);

	// ---- the Exercises tab -------------------------------------------------------------------
	const cli = (arg) => new Promise((resolve, reject) => execFile(process.env.MMLAB_CLI || 'build/mmlab', [arg],
		{ maxBuffer: 1 << 24 }, (err, out) => (err ? reject(err) : resolve(JSON.parse(out)))));
	await exerciseTests({ browser, BASE, OUT, check, shot, axe, sh, api, cli, instructor: process.env.MMLAB_TEST_INSTRUCTOR || null });
} catch (e) {
	failure = e;
	failed++;
	console.log(`  FAIL ${e.stack || e}`);
} finally {
	await browser.close();
}

timings.total_s = +((Date.now() - T0) / 1000).toFixed(1);
await writeFile(join(OUT, 'timings.json'), JSON.stringify(timings, null, 2) + '\n');
console.log(`web: ${JSON.stringify(timings)}`);
console.log(`web: screenshots in ${OUT}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed || failure ? 1 : 0);
