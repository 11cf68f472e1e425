// scrollhint.js - a table wider than its box says so.  On a phone the
// buddy chart, the slab and vmalloc tables and the gradebook scroll
// sideways, and nothing showed that columns were cut off.  Every .scroll
// box that overflows gets a visible line above it and, for a screen
// reader, a name and a place in the tab order (a region one can scroll
// with the arrow keys); a box that fits loses them again.

const HINT = 'Scroll sideways for more columns →';

function boxName(box) {
	const cap = box.querySelector('caption');
	if (cap && cap.textContent.trim()) return cap.textContent.trim();
	for (let p = box.previousElementSibling; p; p = p.previousElementSibling)
		if (/^H[2-4]$/.test(p.tagName)) return p.textContent.trim();
	return 'Table';
}

function update(box) {
	const wide = box.scrollWidth > box.clientWidth + 1;
	const prev = box.previousElementSibling;
	const hint = prev && prev.classList.contains('scroll-hint') ? prev : null;
	if (wide === box.classList.contains('wide') && wide === !!hint) return;
	box.classList.toggle('wide', wide);
	if (wide) {
		box.setAttribute('role', 'region');
		box.setAttribute('tabindex', '0');
		box.setAttribute('aria-label', `${boxName(box)}: wider than the screen, scroll sideways for more columns`);
		if (!hint) {
			const p = document.createElement('p');
			p.className = 'scroll-hint';
			p.setAttribute('aria-hidden', 'true');
			p.textContent = HINT;
			box.before(p);
		}
	} else {
		box.removeAttribute('role');
		box.removeAttribute('tabindex');
		box.removeAttribute('aria-label');
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
