// api.js - the only way the page talks to mmlabd: the public REST API,
// with the machine's token in an Authorization header (never in a URL
// the page requests, so it never reaches a log), errors turned into
// plain words, and every request counted so the page can show its cost.

export class ApiError extends Error {
	constructor(status, problem, method, path) {
		super(plainWords(status, problem, method, path));
		this.status = status;
		this.problem = problem || {};
		this.type = (problem && problem.type ? String(problem.type).split('/').pop() : '');
		this.method = method;
		this.path = path;
	}
}

function what(method, path) {
	const p = path.replace(/\?.*$/, '');
	const x = p.match(/^\/v1\/exercises\/[^/]+\/?(.*)$/);
	if (x) return x[1] === 'answers' ? 'checking the answer' : x[1] === 'reveal' ? 'revealing the answer' : 'reading the exercise';
	if (p === '/v1/exercises') return method === 'POST' ? 'starting the exercise' : 'reading the catalogue';
	if (p === '/v1/me') return 'reading your exercises';
	if (p.startsWith('/v1/classes')) return 'reading the class';
	const m = p.match(/^\/v1\/machines\/[^/]+\/?(.*)$/);
	if (!m) return p === '/v1/machines' && method === 'POST' ? 'creating the machine' : p;
	if (!m[1]) return method === 'DELETE' ? 'deleting the machine' : 'reading the machine';
	return `${method === 'GET' ? 'reading' : 'running'} ${m[1]}`;
}

// A problem+json answer as a sentence a student can act on.
function plainWords(status, problem, method, path) {
	const doing = what(method, path);
	if (status === 0)
		return `The server did not answer while ${doing}: is mmlabd still running, ` +
			`and is this page served by it? (${problem && problem.detail || 'network error'})`;
	const detail = problem && (problem.detail || problem.title);
	if (status === 429)
		return `Too many requests at once (${doing}): the server asks us to wait ` +
			`${problem && problem.retry_after || 'a second'} and slow down. ${detail || ''}`.trim();
	if (detail) {
		const first = detail.charAt(0).toUpperCase() + detail.slice(1);
		return `${first}${/[.!?]$/.test(first) ? '' : '.'}`;
	}
	return `The server answered ${status} while ${doing}, without saying why.`;
}

export const stats = {
	requests: 0, bytesIn: 0, bytesOut: 0, notModified: 0, polls: 0,
	since: performance.now(),
	reset() { Object.assign(this, { requests: 0, bytesIn: 0, bytesOut: 0, notModified: 0, polls: 0, since: performance.now() }); },
};

export class Client {
	constructor() {
		this.id = null;
		this.token = null;
	}

	machinePath(rest = '') {
		return `/v1/machines/${encodeURIComponent(this.id)}${rest}`;
	}

	// {status, data, text, etag}; throws ApiError on any answer but 2xx/304
	// token: another token than the machine's (the instructor's)
	async request(method, path, { body, etag, accept, auth = true, poll = false, token = null } = {}) {
		const headers = {};
		if (auth && (token || this.token)) headers.Authorization = `Bearer ${token || this.token}`;
		if (etag) headers['If-None-Match'] = etag;
		if (accept) headers.Accept = accept;
		let payload;
		if (body !== undefined) {
			payload = typeof body === 'string' ? body : JSON.stringify(body);
			headers['Content-Type'] = 'application/json';
		}
		stats.requests++;
		if (poll) stats.polls++;
		// the request line, headers and body, roughly as they go out
		stats.bytesOut += method.length + path.length + 60 +
			Object.entries(headers).reduce((a, [k, v]) => a + k.length + v.length + 4, 0) +
			(payload ? payload.length : 0);
		let res;
		try {
			res = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
		} catch (e) {
			throw new ApiError(0, { detail: e.message }, method, path);
		}
		const text = res.status === 304 ? '' : await res.text();
		// status line and headers as received (Fetch hides the raw bytes)
		let hb = 17;
		res.headers.forEach((v, k) => { hb += k.length + v.length + 4; });
		stats.bytesIn += hb + new TextEncoder().encode(text).length;
		if (res.status === 304) {
			stats.notModified++;
			return { status: 304, etag: res.headers.get('ETag') };
		}
		const type = res.headers.get('Content-Type') || '';
		let data = null;
		if (type.includes('json') && text) {
			try { data = JSON.parse(text); } catch { data = null; }
		}
		if (!res.ok) {
			const problem = data || { detail: text.trim().slice(0, 300) };
			if (res.status === 429) problem.retry_after = (res.headers.get('Retry-After') || '1') + ' s';
			throw new ApiError(res.status, problem, method, path);
		}
		return { status: res.status, data, text, etag: res.headers.get('ETag') };
	}

	get(rest, opts) { return this.request('GET', this.machinePath(rest), opts); }
	post(rest, body, opts) { return this.request('POST', this.machinePath(rest), { ...opts, body }); }

	// A batch of read-only operations: the machine's generation does not
	// move.  256 a request (the server's default --max-batch); fewer when
	// the server says that is too many.
	async batch(ops) {
		const out = [];
		let size = this.batchSize || 256;
		for (let i = 0; i < ops.length;) {
			let r;
			try {
				r = await this.post('/ops', ops.slice(i, i + size));
			} catch (e) {
				if (e.status === 413 && size > 8 && !e.problem.results) { size = this.batchSize = size >> 2; continue; }
				// a batch that stopped is a problem (docs/daemon.md,
				// "Refusals"): what ran before it, then the refusal
				// in the refused operation's place
				if (!Array.isArray(e.problem.results)) throw e;
				for (const it of e.problem.results) out.push(it);
				out.push({ op: e.problem.operation, status: e.status, problem: e.problem });
				break;
			}
			for (const it of r.data.results) out.push(it);
			i += size;
		}
		return out;
	}
}

// The curl command that makes the same request: the machine's id in the
// URL, the token as $TOKEN (or inline when asked; $INSTRUCTOR for the
// teacher's calls; none for the catalogue), the body as given.
export function curlFor(method, path, body, { token = null, accept = null, tokenVar = 'TOKEN', auth = true } = {}) {
	const url = new URL(path, location.origin).href;
	const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
	const parts = ['curl -s --fail-with-body'];
	if (method !== 'GET' && !(method === 'POST' && body !== undefined)) parts.push(`-X ${method}`);
	if (auth) parts.push(`-H "Authorization: Bearer ${token || '$' + tokenVar}"`);
	if (accept) parts.push(`-H ${q('Accept: ' + accept)}`);
	parts.push(q(url));
	if (body !== undefined) parts.push(`-d ${q(typeof body === 'string' ? body : JSON.stringify(body))}`);
	return parts.join(' ');
}
