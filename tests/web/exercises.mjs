// tests/web/exercises.mjs - the Exercises tab in Chromium, against the
// real daemon: a self-study exercise started from the catalogue picker,
// a malformed answer (400, no attempt spent), an answer with right and
// wrong fields and its per-field feedback, Reveal (the operations appear
// one by one, the walk is drawn, the frames light up, the machine moves),
// the caller's list (GET /v1/me), a copied curl command that runs as it
// is, the phone layout, and the instructor's grid and a student's
// attempts.  Every view is checked with axe-core (WCAG 2 A and AA).
//
// The right answers come from `mmlab exercise:TYPE:SEED` (MMLAB_CLI): a
// self-study variant is (type, seed, version), so the daemon's key is the
// same; the page never sees it before the reveal.

// the key's value as a student would type it
function typed(v) {
	if (v === true) return 'yes';
	if (v === false) return 'no';
	if (v === null) return 'none';
	return String(v);
}

// a value of the field's format that is surely wrong
function wrong(format, v) {
	if (format === 'yes/no') return v ? 'no' : 'yes';
	if (format === 'zone') return v === 'HighMem' ? 'DMA' : 'HighMem';
	const n = typeof v === 'string' && /^0x/i.test(v) ? parseInt(v, 16) : Number(v);
	return '0x' + (n + 0x1000).toString(16);
}

async function fill(page, fields, answers) {
	for (const f of fields) {
		const loc = page.locator(`#ex-f-${f.name}`);
		if (await loc.evaluate((e) => e.tagName === 'SELECT')) await loc.selectOption(answers[f.name]);
		else await loc.fill(answers[f.name]);
	}
}

export async function exerciseTests(t) {
	const { check, api, instructor } = t;
	const cat = (await api('GET', 'v1/exercises', null)).data;
	check('GET /v1/exercises answers the catalogue', cat && Array.isArray(cat.exercises) && cat.exercises.length >= 12,
		JSON.stringify(cat).slice(0, 200));
	if (cat && Array.isArray(cat.exercises)) await selfStudy(t, cat);
	if (instructor) await teacherTests(t);
}

// ---- self-study: the picker, a wrong format, right and wrong fields, reveal -----------------
async function selfStudy(t, cat) {
	const { browser, BASE, check, shot, axe, sh, api, cli: mmlab } = t;
	const typeOf = (name) => cat.exercises.find((x) => x.type === name);

	// ---- 1280x800: the picker, the question, the form ------------------------------------
	console.log('== exercises, 1280x800');
	const wide = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
	const page = await wide.newPage();
	const errors = [];
	page.on('console', (m) => { if (m.type() === 'error') errors.push({ text: m.text(), url: m.location().url || '' }); });
	page.on('pageerror', (e) => errors.push({ text: e.message, url: 'pageerror' }));
	await page.goto(BASE);
	await page.waitForSelector('#start:not([hidden])');
	const options = await page.locator('#exs-type option').count();
	check('the start page offers the catalogue', options === cat.exercises.length, `${options} options`);
	await page.selectOption('#exs-type', 'walk2');
	const note = await page.locator('#exs-type-h').textContent();
	check('the picker says the misconception', note.includes(typeOf('walk2').misconception), note);
	await page.fill('#exs-seed', '1');
	const pickCurl = await page.locator('#exs-curl').textContent();
	check('the picker shows its request as curl', pickCurl.includes('/v1/exercises') && pickCurl.includes('{"type":"walk2","seed":1}'), pickCurl);
	await axe(page, 'the start page');
	await page.click('#exs-go');
	await page.waitForSelector('#tab-exercise[aria-selected=true]', { timeout: 15000 });
	await page.waitForFunction(() => window.mmlab.machine.frames !== null);
	const ex = await page.evaluate(() => window.mmlab.exercises.ex);
	const token = await page.evaluate(() => window.mmlab.exercises.token);
	check('Start made a self-study exercise and opened its machine', ex && /^a-/.test(ex.id) && ex.type === 'walk2' &&
		(await page.evaluate(() => window.mmlab.machine.id)) === ex.machine.id, JSON.stringify(ex).slice(0, 300));
	const q = await page.locator('#ex-question').textContent();
	check('the question is shown', q === ex.question && q.length > 40, q);
	check('… beside the live views: docked with the console on a wide screen',
		await page.locator('#panel-console #ex-work').isVisible() && await page.locator('#ex-question').isVisible());
	const names = await page.$$eval('#ex-form .ex-field', (fs) => fs.map((f) => f.dataset.field));
	check('the form has the API\'s fields, in order', JSON.stringify(names) === JSON.stringify(typeOf('walk2').fields.map((f) => f.name)), names.join(','));
	const hint = await page.locator('#ex-form .ex-field[data-field=pde_addr]').textContent();
	check('each field says its prompt and format', hint.includes(typeOf('walk2').fields[1].prompt) && hint.includes('address') &&
		hint.includes('0x hex'), hint);

	const v = await mmlab('exercise:walk2:1');
	const key = v.key;
	const fields = typeOf('walk2').fields;

	// ---- a format error: named, no attempt spent -----------------------------------------
	const bad = Object.fromEntries(fields.map((f) => [f.name, typed(key[f.name])]));
	bad.pte_index = 'fifteen';
	await fill(page, fields, bad);
	await page.click('#ex-submit');
	await page.waitForSelector('#ex-form-err:not([hidden])');
	const ferr = await page.locator('#ex-form-err').textContent();
	check('a malformed field is named, and no attempt is spent', ferr.includes('pte_index') && ferr.includes('No attempt was spent'), ferr);
	check('… the field is marked invalid', (await page.getAttribute('#ex-f-pte_index', 'aria-invalid')) === 'true');
	const after400 = (await api('GET', `v1/exercises/${ex.id}`, token)).data;
	check('… and the server counted no attempt', after400.attempts.used === 0, JSON.stringify(after400.attempts));

	// ---- one right field, one wrong: the per-field feedback ------------------------------
	const ans = Object.fromEntries(fields.map((f) => [f.name, typed(key[f.name])]));
	ans.phys = wrong('address', key.phys);
	await fill(page, fields, ans);
	const preview = await page.locator('#ex-preview').textContent();
	check('the answer form shows its request as curl', preview.includes(`/v1/exercises/${ex.id}/answers`) && preview.includes('"phys"'), preview);
	await page.click('#ex-submit');
	await page.waitForSelector('#ex-feedback li.fb');
	const right = await page.locator('#ex-feedback li.fb[data-field=pgd_index]').getAttribute('class');
	const wrongLi = page.locator('#ex-feedback li.fb[data-field=phys]');
	const wrongText = await wrongLi.textContent();
	check('a right field is marked right', right.includes('right'));
	check('a wrong field is marked wrong, with its feedback', (await wrongLi.getAttribute('class')).includes('wrong') &&
		wrongText.includes(ans.phys) && wrongText.length > ans.phys.length + 40, wrongText);
	const head = await page.locator('#ex-feedback h3').textContent();
	check('the score: all but the wrong field', head.includes(`${fields.length - 1} of ${fields.length}`), head);
	const status = await page.locator('#ex-status').textContent();
	check('the status counts the attempt', status.includes('1 used') && status.includes('2 left'), status);
	await shot(page, 'wide-exercise-feedback');
	await axe(page, 'the exercise with feedback');

	// ---- reveal: the operations appear, the walk is drawn, the machine moves --------------
	const gen = await page.evaluate(() => window.mmlab.machine.generation);
	await page.click('#ex-reveal-go');
	await page.waitForSelector('#ex-ops > li');
	const first = await page.locator('#ex-ops > li').count();
	check('the revealed operations appear one at a time', first <= v.reveal.length, `${first} of ${v.reveal.length} at first`);
	await page.waitForSelector('#tab-walk[aria-selected=true]', { timeout: 5000 });
	const op1 = await page.locator('#ex-ops > li').first().textContent();
	check('the first operation is the variant\'s translate', op1.includes('translate') && op1.includes(v.reveal[0].args.addr), op1);
	await page.waitForFunction((n) => document.querySelectorAll('ol.steps > li').length === n, 3, { timeout: 5000 });
	const phys = await page.locator('ol.steps > li.end').getAttribute('data-phys');
	check('the walk is drawn on the machine, ending at the key\'s address', parseInt(phys, 16) === parseInt(key.phys, 16), phys);
	await page.waitForFunction((g) => window.mmlab.machine.generation > g, gen, { timeout: 5000 });
	check('the machine views read the machine again (reset, setup, reveal)', true);
	const marked = await page.evaluate(() => window.mmlab.machine.marks.map((m) => m.pfn));
	check('the frame lights up on the maps', marked.includes(Math.floor(parseInt(key.phys, 16) / 4096)), JSON.stringify(marked));
	await page.waitForSelector('#ex-key:not([hidden])', { timeout: 8000 });
	const keyText = await page.locator('#ex-key').textContent();
	check('the key is shown field by field', fields.every((f) => keyText.includes(f.name)), keyText.slice(0, 300));
	check('after a reveal no answer can be sent', await page.locator('#ex-submit').isDisabled());
	await shot(page, 'wide-exercise-reveal-walk');
	await page.click('#tab-physical');
	await page.waitForTimeout(200);
	await shot(page, 'wide-exercise-reveal-physical');
	await page.click('#tab-exercise');
	await shot(page, 'wide-exercise-tab');

	// ---- the caller's list, and copy as curl ---------------------------------------------
	await page.waitForSelector(`#ex-mine button[data-ex="${ex.id}"]`);
	const mine = await page.locator('#ex-mine').textContent();
	check('the tab lists the caller\'s exercises (GET /v1/me)', mine.includes(ex.title) && mine.includes('revealed'), mine.slice(0, 300));
	await page.locator('#ex-reveal-bar, .ex-reveal-bar').getByRole('button', { name: 'Copy reveal as curl' }).click();
	const copied = await page.evaluate(() => window.mmlab.console.lastCopied);
	check('Copy as curl gives the reveal call with $TOKEN', copied.includes(`/v1/exercises/${ex.id}/reveal`) && copied.includes('$TOKEN') && !copied.includes(token), copied);
	const again = await sh(copied, { TOKEN: token });
	check('… and it runs in a shell (the same reveal again)', again.code === 0 && JSON.parse(again.stdout).state === 'revealed', again.stdout + again.stderr);

	// ---- a reload opens the same exercise again, revealed --------------------------------
	await page.reload();
	await page.waitForSelector('#tab-exercise[aria-selected=true]', { timeout: 10000 });
	const back = await page.evaluate(() => window.mmlab.exercises.ex);
	check('a reload opens the same exercise (sessionStorage)', back && back.id === ex.id && back.state === 'revealed', JSON.stringify(back).slice(0, 200));
	await page.waitForSelector('#ex-ops > li');
	check('… with its reveal and key (GET /v1/exercises/{id})', await page.locator('#ex-key').isVisible() &&
		(await page.locator('#ex-ops > li').count()) === v.reveal.length);
	check('… the form as the last attempt left it', (await page.inputValue('#ex-f-phys')) === ans.phys &&
		(await page.inputValue('#ex-f-pgd_index')) === ans.pgd_index, await page.inputValue('#ex-f-phys'));
	await shot(page, 'wide-exercise-reopened');
	await page.focus('#tab-exercise');
	await page.keyboard.press('ArrowRight');
	check('the arrow keys move from the Exercises tab', await page.evaluate(() => document.activeElement.id) === 'tab-physical');
	const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
		.filter((e) => e.offsetParent !== null && !e.labels?.length && !e.getAttribute('aria-label') && !e.closest('label'))
		.map((e) => e.id || e.name));
	check('every visible form control has a label', unlabelled.length === 0, unlabelled.join(', '));

	// ---- axe: every tab while the exercise is open ----------------------------------------
	for (const name of ['exercise', 'physical', 'virtual', 'walk', 'alloc', 'procs']) {
		await page.click(`#tab-${name}`);
		await page.waitForTimeout(150);
		await axe(page, `the ${name} tab with an exercise open`);
	}
	await page.emulateMedia({ colorScheme: 'dark' });
	await page.click('#tab-exercise');
	await axe(page, 'the exercise tab under prefers-color-scheme: dark');
	await page.emulateMedia({ colorScheme: 'light' });
	check('the exercise pages logged no error (but the 400 sent on purpose)',
		errors.filter((e) => !(e.text.includes('400') && e.url.includes('/answers'))).length === 0, JSON.stringify(errors));
	await wide.close();

	// ---- 390x844: the form in the tab, a full-marks answer, a reveal that lights frames ---
	console.log('== exercises, 390x844');
	// and with reduced motion: the reveal shows everything at once
	const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true,
		reducedMotion: 'reduce' });
	const p2 = await phone.newPage();
	const perr = [];
	p2.on('pageerror', (e) => perr.push(e.message));
	await p2.goto(BASE);
	await p2.waitForSelector('#start:not([hidden])');
	await p2.selectOption('#exs-type', 'kvmalloc');
	await p2.fill('#exs-seed', '3');
	await p2.click('#exs-go');
	await p2.waitForSelector('#tab-exercise[aria-selected=true]', { timeout: 15000 });
	await p2.waitForFunction(() => window.mmlab.machine.frames !== null);
	check('on a phone the question is in the Exercises tab', await p2.locator('#panel-exercise #ex-work').isVisible());
	// every tab, Exercises among them: still under a third of the screen with the header
	const chrome = await p2.evaluate(() => document.querySelector('.tabs').getBoundingClientRect().bottom + window.scrollY);
	check('on a phone the header and every tab (Exercises among them) take less than a third of the screen', chrome < 844 / 3, `${Math.round(chrome)} of 844 px`);
	const ex2 = await p2.evaluate(() => window.mmlab.exercises.ex);
	const tok2 = await p2.evaluate(() => window.mmlab.exercises.token);
	const v2 = await mmlab('exercise:kvmalloc:3');
	const f2 = typeOf('kvmalloc').fields;
	await fill(p2, f2, Object.fromEntries(f2.map((f) => [f.name, typed(v2.key[f.name])])));
	await shot(p2, 'phone-exercise-form');
	// the copied answer runs in a shell: the same call the form makes
	await p2.locator('#ex-form').getByRole('button', { name: 'Copy as curl' }).click();
	const ansCurl = await p2.evaluate(() => window.mmlab.console.lastCopied);
	const viaShell = await sh(ansCurl, { TOKEN: tok2 });
	const g = JSON.parse(viaShell.stdout || 'null');
	check('the copied answer runs in a shell and scores full marks', viaShell.code === 0 && g && g.score === g.max && g.max === f2.length,
		viaShell.stdout + viaShell.stderr);
	check('… and it was this exercise', ansCurl.includes(`/v1/exercises/${ex2.id}/answers`), ansCurl);
	const overflow = await p2.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	check('nothing is wider than the phone', overflow <= 0, `${overflow} px too wide`);
	await axe(p2, 'the exercise tab on a phone');
	await p2.click('#ex-reveal-go');
	await p2.waitForSelector('#ex-ops > li', { timeout: 10000 });
	const ops2 = await p2.locator('#ex-ops > li').count();
	check('with reduced motion the key is there with the first operation', await p2.locator('#ex-key').isVisible());
	check('the reveal lists the kmalloc and the vmalloc', ops2 === v2.reveal.length, `${ops2}`);
	const vm = await p2.evaluate(() => window.mmlab.machine.marks.length);
	check('the vmalloc area\'s frames light up', vm === v2.key.vmalloc_frames, `${vm} marked, ${v2.key.vmalloc_frames} frames`);
	await shot(p2, 'phone-exercise-reveal');
	await p2.locator('#ex-ops > li').nth(1).getByRole('button', { name: /^Show frame/ }).click();
	await p2.waitForSelector('#tab-physical[aria-selected=true]');
	await shot(p2, 'phone-exercise-frames');
	await axe(p2, 'the physical tab on a phone after a reveal');
	check('the phone page logged no error', perr.length === 0, perr.join(' | '));
	await phone.close();
}

// ---- the instructor: a class, three students, the grid, one student's attempts ----------
async function teacherTests(t) {
	const { browser, BASE, check, shot, axe, api, instructor } = t;
	console.log('== exercises, the instructor');
	const cls = await api('POST', 'v1/classes', instructor, { name: 'Memory 101' });
	if (cls.status === 404 || cls.status === 405) {
		console.log('  (the class routes are not in this daemon: the instructor view is untested)');
		return;
	}
	check('the instructor made a class', cls.status === 201 && cls.data.code, JSON.stringify(cls));
	const code = cls.data.code;
	const asg = await api('POST', `v1/classes/${code}/assignments`, instructor,
		{ name: 'hw1', items: [{ type: 'zone', count: 1 }, { type: 'kmalloc_size', count: 1 }], attempts: 2 });
	check('… and an assignment', asg.status === 201, JSON.stringify(asg));
	const students = [];
	for (const name of ['Ada', 'Brian', 'Chen']) {
		const j = await api('POST', `v1/classes/${code}/join`, null, { name });
		check(`${name} joined`, j.status === 201 && j.data.token, JSON.stringify(j));
		students.push({ name, token: j.data.token, id: j.data.student.id, assignments: j.data.assignments });
	}
	// Ada answers her first exercise (whatever she gives, a score is recorded)
	const first = students[0].assignments[0].exercises[0];
	const full = (await api('GET', `v1/exercises/${first.id}`, students[0].token)).data;
	const answer = Object.fromEntries(((full && full.fields) || []).map((f) => [f.name, f.format === 'yes/no' ? 'yes' : f.format === 'zone' ? 'Normal'
		: f.format === 'cache name' ? 'kmalloc-64' : '64']));
	const a = await api('POST', `v1/exercises/${first.id}/answers`, students[0].token, { fields: answer });
	const answered = a.status === 200;
	if (a.status === 404) console.log('  (no answers route in this daemon: the grid is checked without a score)');
	else check('Ada answered', answered, JSON.stringify(a));

	const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
	const page = await ctx.newPage();
	await page.goto(BASE);
	await page.waitForSelector('#start:not([hidden])');
	await page.fill('#teach-token', instructor);
	await page.click('#teach-form button[type=submit]');
	await page.waitForSelector('#teach:not([hidden]) #grades', { timeout: 5000 });
	const classes = await page.locator('#teach-classes').textContent();
	check('the class list shows the class', classes.includes(code) && classes.includes('Memory 101'), classes);
	await page.locator(`#teach-classes tr[data-class="${code}"]`).getByRole('button').click();
	await page.waitForSelector('#grades tbody tr');
	const rows = await page.locator('#grades tbody tr').count();
	check('the grid has a row per student', rows === 3, `${rows}`);
	const cols = await page.locator('#grades thead th').count();
	check('… and a column per exercise (two), plus the name and the total', cols === 4, `${cols}`);
	const ada = await page.locator('#grades tbody tr', { hasText: 'Ada' }).textContent();
	if (answered) check('Ada\'s row has her score', ada.includes(`${a.data.score}/${full.max}`), ada);
	await shot(page, 'wide-teacher-grid');
	await axe(page, 'the instructor\'s grid');
	await page.getByRole('button', { name: 'Copy as curl (CSV)' }).click();
	const csvCurl = await page.evaluate(() => window.mmlab.console.lastCopied);
	const csv = await t.sh(csvCurl, { INSTRUCTOR: instructor });
	check('the grid\'s CSV command runs in a shell: a row per student', csv.code === 0 && csv.stdout.trim().split(/\r?\n/).length === 4 &&
		csv.stdout.includes('Ada') && csvCurl.includes('$INSTRUCTOR'), csv.stdout + csv.stderr);
	await page.locator('#grades tbody tr', { hasText: 'Ada' }).getByRole('button').click();
	await page.waitForSelector('#teach-student .st-ex');
	const st = await page.locator('#teach-student').textContent();
	if (answered) check('a student\'s attempts, with their time', st.includes('attempt 1') && /\d\d:\d\d/.test(st), st.slice(0, 300));
	const keyLine = await page.locator('#teach-student .st-key').first().textContent();
	check('… and the key, for the instructor', /^The key: \w+ = \S+/.test(keyLine) && !keyLine.includes('[object'), keyLine);
	await shot(page, 'wide-teacher-student');
	await axe(page, 'a student\'s attempts');
	await ctx.close();

	// Ada comes back with her token: her assignment and its score
	const back = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
	const bp = await back.newPage();
	await bp.goto(BASE);
	await bp.waitForSelector('#start:not([hidden])');
	await bp.fill('#ex-token', students[0].token);
	await bp.click('#ex-token-form button[type=submit]');
	await bp.waitForSelector('#ex-start-list button.ex-open');
	const hers = await bp.locator('#ex-start-list').textContent();
	check('a student\'s token lists her assignment and scores (GET /v1/me)', hers.includes('hw1') && hers.includes('Ada') &&
		(!answered || hers.includes(`${a.data.score} of ${full.max}`)), hers.slice(0, 300));
	await back.close();

	// a student joins from the page, lists the assignment, opens an exercise
	const sc = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
	const sp = await sc.newPage();
	await sp.goto(BASE);
	await sp.waitForSelector('#start:not([hidden])');
	await sp.fill('#ex-join-code', code);
	await sp.fill('#ex-join-name', 'Dana');
	await sp.click('#ex-join-curl');
	const joinCurl = await sp.evaluate(() => window.mmlab.console.lastCopied);
	check('the join can be copied as curl', joinCurl.includes(`/v1/classes/${code}/join`) && joinCurl.includes('{"name":"Dana"}') &&
		!joinCurl.includes('Authorization'), joinCurl);
	await sp.click('#ex-join-form button[type=submit]');
	await sp.waitForSelector('#ex-start-list button.ex-open', { timeout: 10000 });
	const list = await sp.locator('#ex-start-list').textContent();
	check('a student who joins from the page sees the assignment', list.includes('hw1') && list.includes('Memory 101'), list.slice(0, 300));
	await shot(sp, 'phone-student-assignments');
	await axe(sp, 'a student\'s assignment list on a phone');
	await sp.locator('#ex-start-list button.ex-open').first().click();
	await sp.waitForSelector('#tab-exercise[aria-selected=true]', { timeout: 15000 });
	const sx = await sp.evaluate(() => window.mmlab.exercises.ex);
	check('… opens an assigned exercise on its machine', sx && sx.assignment && sx.assignment.class === code &&
		(await sp.evaluate(() => window.mmlab.machine.id)) === sx.machine.id, JSON.stringify(sx).slice(0, 300));
	await sp.waitForSelector(`#ex-mine button[data-ex="${sx.id}"]`);
	check('… and the tab lists it among the student\'s exercises (GET /v1/me)', true);
	const meta = await sp.locator('.ex-meta').textContent();
	check('… whose seed is not shown', !/seed/.test(meta) && sx.seed === undefined, meta);
	check('… named by its assignment', meta.includes('assignment hw1'), meta);
	// graded work: no reveal before the teacher's rule allows it
	await sp.click('#ex-reveal-go');
	await sp.waitForSelector('#ex-reveal p.error');
	const early = await sp.locator('#ex-reveal p.error').textContent();
	check('an assigned exercise cannot be revealed before its attempts are used', early.startsWith('Not revealed:') &&
		!(await sp.locator('#ex-key').count()), early);
	await shot(sp, 'phone-student-exercise');
	await axe(sp, 'an assigned exercise on a phone');
	await sc.close();
}
