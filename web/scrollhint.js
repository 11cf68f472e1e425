// scrollhint.js - a table wider than its box says so.  On a phone the
// buddy chart, the slab and vmalloc tables and the gradebook scroll
// sideways, and nothing showed that columns were cut off.  Every .scroll
// box that overflows gets a visible line above it and, for a screen
// reader, a name and a place in the tab order (a region one can scroll
// with the arrow keys); a box that fits loses them again.

const HINT = 'Scroll sideways for more →';

function boxName(box) {
	const cap = box.querySelector('caption');
	if (cap && cap.textContent.trim()) return cap.textContent.trim();
	for (let p = box.previousElementSibling; p; p = p.previousElementSibling)
		if (/^H[2-4]$/.test(p.tagName)) return p.textContent.trim();
	return 'Table';
}

// The attributes it sets, each only where the page set none (a <pre>
// may be focusable and named already), and only those are taken back.
function setOwn(box, name, value) {
	if (box.hasAttribute(name)) return;
	box.setAttribute(name, value);
	box.dataset.scrollSet = `${box.dataset.scrollSet || ''} ${name}`.trim();
}

function update(box) {
	const wide = box.scrollWidth > box.clientWidth + 1;
	const prev = box.previousElementSibling;
	const hint = prev && prev.classList.contains('scroll-hint') ? prev : null;
	if (wide === box.classList.contains('wide') && wide === !!hint) return;
	box.classList.toggle('wide', wide);
	if (wide) {
		setOwn(box, 'role', 'region');
		setOwn(box, 'tabindex', '0');
		if (!box.hasAttribute('aria-labelledby'))
			setOwn(box, 'aria-label', `${boxName(box)}: wider than the screen, scroll sideways for more`);
		if (!hint) {
			const p = document.createElement('p');
			p.className = 'scroll-hint';
			p.setAttribute('aria-hidden', 'true');
			p.textContent = HINT;
			box.before(p);
		}
	} else {
		for (const name of (box.dataset.scrollSet || '').split(' ').filter(Boolean)) box.removeAttribute(name);
		delete box.dataset.scrollSet;
		if (hint) hint.remove();
	}
}

export function watchScrollers(root = document.body) {
	const seen = new WeakSet();
	const ro = new ResizeObserver((entries) => { for (const e of entries) update(e.target); });
	let queued = false;
	const scan = () => {
		queued = false;
		for (const box of root.querySelectorAll('.scroll')) {
			if (!seen.has(box)) { seen.add(box); ro.observe(box); }
			// what it holds may have changed without a change of its size
			update(box);
		}
	};
	new MutationObserver(() => {
		if (!queued) { queued = true; requestAnimationFrame(scan); }
	}).observe(root, { childList: true, subtree: true });
	scan();
}
