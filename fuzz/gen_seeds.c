/*
 * gen_seeds.c - write the harnesses' seed corpora (make fuzz-seeds):
 * an example of every operation the api lists, run after a setup that
 * gives it something to work on (a process, a kmalloc'd object, a
 * vmalloc area, a cache, a highmem frame...), so every seed reaches the
 * operation's model code rather than its argument checks.
 *
 * An operation without an example here fails the run: a new operation
 * gets a seed when it gets its name.  The seeds are committed; run this
 * again when operations or their arguments change.
 *
 *   gen_seeds DIR   writes DIR/fuzz_ops, fuzz_diff, fuzz_http,
 *                   fuzz_config and fuzz_snapshot
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_util.h"
#include "machine.h"
#include "snapshot.h"
#include "snapshot_io.h"

#define SEED_CONFIG 2	/* fz_configs[2]: 1 GiB, highmem, 2 CPUs */

int main(int argc, char **argv);

/* The setup every operation's seed starts with; $NAME takes the value
 * the named step's answer gave ("$PID" is process_create's "pid"). */
static const struct step {
	const char *save;	/* placeholder, or NULL */
	const char *key;	/* the answer's field to save */
	const char *op;
	const char *args;
} setup[] = {
	{ "$PID", "pid", "process_create", "{}" },
	{ "$CHILD", "child.pid", "fork", "{\"pid\": $PID}" },
	{ "$MMAP", "addr", "mmap", "{\"pid\": $PID, \"len\": \"64K\"}" },
	{ "$KM", "addr", "kmalloc", "{\"size\": 64}" },
	{ "$KM2", "addr", "kmalloc", "{\"size\": 200, \"gfp\": \"GFP_KERNEL | __GFP_ZERO\"}" },
	{ "$VM", "addr", "vmalloc", "{\"size\": \"8K\"}" },
	{ NULL, NULL, "kmem_cache_create", "{\"name\": \"fz_cache\", \"size\": 96, \"align\": 32, \"flags\": [\"SLAB_HWCACHE_ALIGN\"]}" },
	{ NULL, NULL, "kmem_cache_create", "{\"name\": \"fz_empty\", \"size\": 40}" },
	{ "$OBJ", "addr", "kmem_cache_alloc", "{\"cache\": \"fz_cache\"}" },
	{ "$PFN", "pfn", "alloc_pages", "{\"order\": 0}" },
	{ "$PFN2", "pfn", "alloc_pages", "{\"order\": 2, \"gfp\": \"GFP_ATOMIC\"}" },
	{ "$HPFN", "pfn", "alloc_pages", "{\"gfp\": \"GFP_HIGHUSER\"}" },
	{ "$KMAP", "addr", "kmap", "{\"pfn\": \"$HPFN\"}" },
	{ "$LOCAL", "addr", "kmap_local_page", "{\"pfn\": \"$HPFN\", \"cpu\": 1}" },
	{ "$ATOMIC", "addr", "kmap_atomic", "{\"pfn\": \"$HPFN\"}" },
	{ "$IOMEM", "addr", "ioremap", "{\"phys\": \"0xfebf0000\", \"size\": \"8K\"}" },
	{ "$VMAP", "addr", "vmap", "{\"pfns\": [\"$PFN2\"]}" },
	{ "$KSTACK", "addr", "vzalloc", "{\"size\": 100}" },
};

/* Every operation's example, after the setup. */
static const struct {
	const char *op;
	const char *args;
} examples[] = {
	{ "alloc_pages", "{\"order\": 3, \"gfp\": \"GFP_KERNEL\"}" },
	{ "free_pages", "{\"pfn\": \"$PFN\", \"order\": 0}" },
	{ "frame", "{\"phys\": \"0x1000000\"}" },
	{ "frames", "{\"start\": \"0x0\", \"count\": 4096}" },
	{ "translate", "{\"addr\": \"$KM\"}" },
	{ "read", "{\"addr\": \"$KM\", \"len\": 16}" },
	{ "write", "{\"addr\": \"$KM\", \"hex\": \"deadbeef\"}" },
	{ "vmalloc", "{\"size\": \"1M\"}" },
	{ "vzalloc", "{\"size\": 12288}" },
	{ "vfree", "{\"addr\": \"$VM\"}" },
	{ "vmap", "{\"pfns\": [\"$PFN\"]}" },
	{ "vunmap", "{\"addr\": \"$VMAP\"}" },
	{ "ioremap", "{\"phys\": \"0xfed00000\", \"size\": 4096}" },
	{ "iounmap", "{\"addr\": \"$IOMEM\"}" },
	{ "kmap", "{\"pfn\": \"$HPFN\"}" },
	{ "kunmap", "{\"pfn\": \"$HPFN\"}" },
	{ "kmap_local_page", "{\"pfn\": \"$HPFN\"}" },
	{ "kunmap_local", "{\"addr\": \"$LOCAL\", \"cpu\": 1}" },
	{ "kmap_atomic", "{\"pfn\": \"$HPFN\", \"cpu\": 1}" },
	{ "kunmap_atomic", "{\"addr\": \"$ATOMIC\"}" },
	{ "page_address", "{\"pfn\": \"$HPFN\"}" },
	{ "pkmap", "{}" },
	{ "kmalloc", "{\"size\": 192, \"gfp\": \"GFP_ATOMIC\", \"cpu\": 1}" },
	{ "kzalloc", "{\"size\": \"4K\"}" },
	{ "krealloc", "{\"addr\": \"$KM\", \"size\": 128}" },
	{ "kfree", "{\"addr\": \"$KM\"}" },
	{ "ksize", "{\"addr\": \"$KM2\"}" },
	{ "kmem_cache_create", "{\"name\": \"fz_new\", \"size\": 24, \"flags\": [\"SLAB_RECLAIM_ACCOUNT\"]}" },
	{ "kmem_cache_alloc", "{\"cache\": \"fz_cache\", \"cpu\": 1}" },
	{ "kmem_cache_free", "{\"cache\": \"fz_cache\", \"addr\": \"$OBJ\"}" },
	{ "kmem_cache_destroy", "{\"cache\": \"fz_empty\"}" },
	{ "process_create", "{}" },
	{ "fork", "{\"pid\": $CHILD}" },
	{ "exit", "{\"pid\": $CHILD}" },
	{ "mmap", "{\"pid\": $PID, \"addr\": \"0x10000000\", \"len\": \"1M\", \"prot\": \"PROT_READ|PROT_WRITE\", \"flags\": \"MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED\"}" },
	{ "munmap", "{\"pid\": $PID, \"addr\": \"$MMAP\", \"len\": 4096}" },
	{ "mprotect", "{\"pid\": $PID, \"addr\": \"$MMAP\", \"len\": 8192, \"prot\": \"PROT_READ\"}" },
	{ "brk", "{\"pid\": $PID, \"addr\": \"0x0\"}" },
	{ "access", "{\"pid\": $PID, \"addr\": \"$MMAP\", \"access\": \"write\", \"mode\": \"user\"}" },
	{ "uread", "{\"pid\": $PID, \"addr\": \"$MMAP\", \"len\": 8}" },
	{ "uwrite", "{\"pid\": $PID, \"addr\": \"$MMAP\", \"text\": \"hello\"}" },
	{ "copy_to_user", "{\"pid\": $PID, \"uaddr\": \"$MMAP\", \"kaddr\": \"$KM2\", \"len\": 32}" },
	{ "copy_from_user", "{\"pid\": $PID, \"uaddr\": \"$MMAP\", \"kaddr\": \"$KM2\", \"len\": 32}" },
	{ "oom_score_adj", "{\"pid\": $PID, \"value\": 500}" },
	{ "proc_limits", "{\"max_map_count\": 100, \"max_processes\": 10}" },
	{ "maps", "{\"pid\": $PID}" },
	{ "status", "{\"pid\": $PID}" },
	{ "pagemap", "{\"pid\": $PID, \"addr\": \"$MMAP\", \"len\": 16384}" },
	{ "process_pagetables", "{\"pid\": $PID}" },
	{ "processes", "{}" },
};

/* The edges the issue names, each as one operation after the setup. */
static const struct {
	const char *name, *op, *args;
} edges[] = {
	{ "write-phys-2e64", "write", "{\"phys\": \"0xfffffffffffffffe\", \"hex\": \"0102\"}" },
	{ "read-phys-2e64", "read", "{\"phys\": \"0xfffffffffffff000\", \"len\": 8192}" },
	{ "read-phys-2e36", "read", "{\"phys\": \"0xffffffff8\", \"len\": 16}" },
	{ "write-phys-2e32", "write", "{\"phys\": \"0xfffffffe\", \"hex\": \"a1b2c3d4\"}" },
	{ "write-straddle", "write", "{\"phys\": \"0x1fff\", \"hex\": \"0102\"}" },
	{ "ioremap-2e36", "ioremap", "{\"phys\": \"0xffffff000\", \"size\": \"8K\"}" },
	{ "ioremap-wrap", "ioremap", "{\"phys\": \"0xfffffffffffff000\", \"size\": 8192}" },
	{ "free_pages-2e36", "free_pages", "{\"phys\": \"0xffffff000\", \"order\": 10}" },
	{ "frame-2e36", "frame", "{\"phys\": \"0xfffffffff\"}" },
	{ "kmap-last", "kmap", "{\"pfn\": \"0xffffff\"}" },
	{ "vmalloc-2e32", "vmalloc", "{\"size\": 4294967296}" },
	{ "kmalloc-huge", "kmalloc", "{\"size\": \"4M\"}" },
	{ "mmap-top", "mmap", "{\"pid\": $PID, \"addr\": \"0xbffff000\", \"len\": 8192, \"flags\": \"MAP_FIXED|MAP_PRIVATE|MAP_ANONYMOUS\"}" },
	{ "frames-end", "frames", "{\"start\": \"0xfffff\", \"count\": 1000000}" },
	{ "translate-top", "translate", "{\"addr\": \"0xfffff000\", \"mode\": \"user\", \"pid\": $PID}" },
};

struct vars {
	char name[32][16];
	char value[32][32];
	unsigned n;
};

static char *substitute(const char *tmpl, const struct vars *v)
{
	size_t cap = strlen(tmpl) * 4 + 64, n = 0;
	char *out = malloc(cap);

	for (const char *p = tmpl; *p;) {
		unsigned k = v->n;

		if (*p == '$')
			for (k = 0; k < v->n; k++) {
				size_t l = strlen(v->name[k]);

				/* "$PID" must not eat "$PIDX": names end at a
				 * non-letter */
				if (!strncmp(p, v->name[k], l) &&
				    !(p[l] >= 'A' && p[l] <= 'Z') &&
				    !(p[l] >= '0' && p[l] <= '9'))
					break;
			}
		if (k < v->n) {
			n += (size_t)snprintf(out + n, cap - n, "%s", v->value[k]);
			p += strlen(v->name[k]);
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return out;
}

static json_t *item(const char *op, const char *args_text, const struct vars *v)
{
	char *t = substitute(args_text, v);
	json_error_t e;
	json_t *a = json_loads(t, 0, &e);

	if (!a) {
		fprintf(stderr, "gen_seeds: bad example for %s: %s: %s\n", op, t,
			e.text);
		exit(1);
	}
	free(t);
	return json_pack("{s:s, s:o}", "op", op, "args", a);
}

#define NSETUP (sizeof(setup) / sizeof(setup[0]))
/* the steps up to the slab caches need neither highmem nor a 2nd CPU */
#define NSETUP_SMALL 6

/* Run the first n steps of the setup on m, filling v; the items in *ops. */
static void run_setup(struct machine *m, struct vars *v, json_t *ops,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *it = item(setup[i].op, setup[i].args, v), *res;
		struct mm_error err;
		const json_t *val;

		if (fz_run_one(m, setup[i].op, json_object_get(it, "args"), &res,
			       &err)) {
			fprintf(stderr, "gen_seeds: setup %s refused: %s\n",
				setup[i].op, err.detail);
			exit(1);
		}
		json_array_append_new(ops, it);
		if (setup[i].save) {
			const char *dot = strchr(setup[i].key, '.');

			/* "child.pid": one level down */
			val = dot ? json_object_get(json_object_get(res, "child"),
						    dot + 1)
				  : json_object_get(res, setup[i].key);
			if (!val) {
				fprintf(stderr, "gen_seeds: %s gave no %s\n",
					setup[i].op, setup[i].key);
				exit(1);
			}
			snprintf(v->name[v->n], sizeof(v->name[0]), "%s",
				 setup[i].save);
			if (json_is_integer(val))
				snprintf(v->value[v->n], sizeof(v->value[0]),
					 "%lld", (long long)json_integer_value(val));
			else
				snprintf(v->value[v->n], sizeof(v->value[0]),
					 "%s", json_string_value(val));
			v->n++;
		}
		json_decref(res);
	}
}

static void write_file(const char *dir, const char *harness,
		       const char *name, const void *buf, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, harness);
	if (mkdir(path, 0777) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", dir, harness, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void write_text(const char *dir, const char *harness,
		       const char *name, const char *text)
{
	write_file(dir, harness, name, text, strlen(text));
}

/* One operation's seed for fuzz_ops and fuzz_diff (JSON) and fuzz_http
 * (a batch of the setup, then the operation on its own route). */
static void op_seed(const char *dir, const char *name, const char *op,
		    const char *args, int *refused)
{
	struct vars v = { .n = 0 };
	struct machine *m = fz_boot(SEED_CONFIG);
	json_t *ops = json_array(), *it, *res, *doc;
	struct mm_error err;
	char *text, *body, *http;
	const char *const *names = api_op_args(op);
	bool pid = false;
	size_t len;

	run_setup(m, &v, ops, NSETUP);
	it = item(op, args, &v);
	if (fz_run_one(m, op, json_object_get(it, "args"), &res, &err)) {
		/* the edges are meant to be refused; the examples are not */
		if (refused)
			(*refused)++, fprintf(stderr, "gen_seeds: example %s "
					      "refused: %s\n", op, err.detail);
	}
	json_decref(res);
	machine_free(m);
	body = json_dumps(json_object_get(it, "args"), JSON_COMPACT);
	json_array_append_new(ops, it);
	doc = json_pack("{s:i, s:O}", "config", SEED_CONFIG, "ops", ops);
	text = json_dumps(doc, JSON_COMPACT);
	write_text(dir, "fuzz_ops", name, text);
	write_text(dir, "fuzz_diff", name, text);
	free(text);
	/* fuzz_http: the setup as a batch, then the op on its route */
	json_array_remove(ops, json_array_size(ops) - 1);
	text = json_dumps(ops, JSON_COMPACT);
	for (; names && *names; names++)
		pid |= !strcmp(*names, "pid");
	len = strlen(text) + strlen(body) + 256;
	http = malloc(len);
	/* a process's own operation on its route, the pid in the path */
	if (pid && api_op_mutates(op) && strcmp(op, "proc_limits"))
		snprintf(http, len, "POST /v1/machines/$ID/ops\n\n%s\n===\nPOST "
			 "/v1/machines/$ID/processes/%s/%s\n\n%s", text,
			 v.value[strstr(args, "$CHILD") ? 1 : 0], op, body);
	else
		snprintf(http, len, "POST /v1/machines/$ID/ops\n\n%s\n===\nPOST "
			 "/v1/machines/$ID/%s\n\n%s", text, op, body);
	write_text(dir, "fuzz_http", name, http);
	free(http);
	free(text);
	free(body);
	json_decref(doc);
	json_decref(ops);
}

static void http_seeds(const char *dir)
{
	static const char *const reqs[][2] = {
		{ "get-healthz", "GET /healthz" },
		{ "get-metrics", "GET /metrics" },
		{ "get-openapi", "GET /openapi.json" },
		{ "get-index", "GET /" },
		{ "get-file", "GET /app.js" },
		{ "list", "GET /v1/machines\nAuthorization: Bearer $TOK" },
		{ "list-instructor", "GET /v1/machines\nAuthorization: Bearer $ITOK" },
		{ "create", "POST /v1/machines\nAuthorization: Bearer $TOK\n\n"
			    "{\"ram\": \"128M\", \"cmdline\": \"vmalloc=64M\"}\n===\n"
			    "GET /v1/machines/$NEW\nAuthorization: Bearer $TOK" },
		{ "create-e820", "POST /v1/machines\n\n{\"e820\": [{\"start\": "
				 "\"0x0\", \"size\": \"639K\", \"type\": \"usable\"}, "
				 "{\"start\": \"0x100000\", \"size\": \"100M\", "
				 "\"type\": \"usable\"}]}" },
		{ "get", "GET /v1/machines/$ID" },
		{ "get-tokened", "GET /v1/machines/$TID\nAuthorization: Bearer $TOK" },
		{ "get-etag", "GET /v1/machines/$ID/proc/meminfo\n===\nGET "
			      "/v1/machines/$ID/proc/meminfo\nIf-None-Match: \"1\"" },
		{ "delete", "DELETE /v1/machines/$TID\nAuthorization: Bearer $TOK" },
		{ "reset", "POST /v1/machines/$ID/reset\n\n{}" },
		{ "dmesg", "GET /v1/machines/$ID/dmesg?format=text" },
		{ "layout", "GET /v1/machines/$ID/layout\nAccept: text/plain" },
		{ "ptdump", "GET /v1/machines/$ID/ptdump" },
		{ "translate", "GET /v1/machines/$ID/translate?addr=0xc0100000&access=read" },
		{ "translate-2e64", "GET /v1/machines/$ID/translate?addr=0xffffffffffffffff" },
		{ "frames", "GET /v1/machines/$ID/frames?start=0&count=1024" },
		{ "processes", "POST /v1/machines/$ID/processes\n\n{}\n===\nGET "
			       "/v1/machines/$ID/processes\n===\nGET "
			       "/v1/machines/$ID/processes/1/maps\n===\nGET "
			       "/v1/machines/$ID/ptdump?pid=1" },
		{ "read-2e64", "POST /v1/machines/$ID/read\n\n{\"phys\": "
			       "\"0xfffffffffffffff0\", \"len\": 32}" },
		{ "batch-bad", "POST /v1/machines/$ID/ops\n\n{\"ops\": [{\"op\": "
			       "\"kmalloc\", \"args\": {}, \"x\": 1}]}" },
		{ "method", "PUT /v1/machines/$ID/kmalloc\n\n{}" },
		{ "nul", "GET /index.html%00.js" },
		{ "class", "POST /v1/classes\nAuthorization: Bearer $ITOK\n\n"
			   "{\"name\": \"os\"}\n===\nPOST /v1/classes/$CLS/"
			   "assignments\nAuthorization: Bearer $ITOK\n\n{\"name\": "
			   "\"w1\", \"items\": [{\"type\": \"lowmem\"}, {\"type\": "
			   "\"kmap\", \"count\": 2}], \"attempts\": 2, \"due\": "
			   "\"2026-12-11T23:59:00Z\"}\n===\nPOST /v1/classes/$CLS/"
			   "join\nAuthorization:\n\n{\"name\": \"ann\"}\n===\nGET "
			   "/v1/me\nAuthorization: Bearer $STOK\n===\nGET "
			   "/v1/classes/$CLS/grades\nAuthorization: Bearer $ITOK\n"
			   "Accept: text/csv\n===\nGET /v1/classes/$CLS/students/s1"
			   "\nAuthorization: Bearer $ITOK\n===\nGET /v1/classes/$CLS/"
			   "grades?format=gradescope&student=ann\nAuthorization: "
			   "Bearer $ITOK" },
		{ "class-bad", "POST /v1/classes\nAuthorization: Bearer $ITOK\n\n"
			       "{\"name\": \"os\"}\n===\nPOST /v1/classes/$CLS/"
			       "assignments\nAuthorization: Bearer $ITOK\n\n{\"name\":"
			       " \"=x\", \"items\": [{\"type\": \"zone\", \"count\":"
			       " 9}]}\n===\nPOST /v1/classes/$CLS/join\n\n{\"name\": "
			       "\"@a\"}\n===\nGET /v1/classes/$CLS/grades\n===\nGET "
			       "/v1/classes/$CLS/grades?format=xml\nAuthorization: "
			       "Bearer $ITOK" },
	};
	char name[64];

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		write_text(dir, "fuzz_http", reqs[i][0], reqs[i][1]);
	for (size_t i = 0; api_report_names[i]; i++) {
		char text[256];

		snprintf(name, sizeof(name), "report-%s", api_report_names[i]);
		snprintf(text, sizeof(text), "GET /v1/machines/$ID/proc/%s%s",
			 api_report_names[i], i % 2 ? "\nAccept: text/plain" : "");
		write_text(dir, "fuzz_http", name, text);
	}
}

static void config_seeds(const char *dir)
{
	static const char *const cmdlines[] = {
		"vmalloc=256M", "mem=512M", "highmem=128M", "reservetop=16M",
		"memmap=exactmap memmap=640K@0 memmap=255M@1M",
		"memmap=16M$0x1000000 memmap=4K#0x2000000 memmap=1M!0x3000000",
		"mem=nopentium log_buf_len=1M norandmaps",
		"console=ttyS0 quiet root=/dev/sda1 vmalloc=0x8000000",
		"memmap=0xfffffffffffff000@0x1000 mem=18446744073709551615",
	};
	/* argv words, NUL-separated; W keeps each list's length */
#define W(s) { s, sizeof(s) - 1 }
	static const struct { const char *w; size_t n; } daemon[] = {
		W("--port\0" "8081\0" "--max-ram\0" "1G\0" "--in-memory"),
		W("--max-batch=64\0" "--rate\0" "10\0" "--rate-burst\0" "20"),
		W("--max-body\0" "1M\0" "--idle-expiry\0" "3600\0" "--quiet"),
		W("--help"),
		W("--listen\0" "0.0.0.0\0" "--http-threads\0" "4\0"
		  "--snapshot-every\0" "100"),
	}, cli[] = {
		W("--ram\0" "128M\0" "meminfo\0" "op:kmalloc:{\"size\":64}\0"
		  "slabinfo"),
		W("--pae\0" "--ram=6G\0" "--json\0" "zoneinfo"),
		W("--e820\0" "[{\"start\":\"0x0\",\"size\":\"639K\",\"type\":"
		  "\"usable\"},{\"start\":\"0x100000\",\"size\":\"100M\","
		  "\"type\":\"usable\"}]\0" "e820"),
		W("--config\0" "{\"ram\":\"256M\",\"cpus\":4}\0" "--cmdline\0"
		  "vmalloc=64M\0" "layout"),
		W("--vmsplit\0" "2G\0" "--seed\0" "9\0" "--initrd\0" "16M\0"
		  "op:process_create\0" "pagetables"),
	};
#undef W
	char buf[512], name[32];

	for (size_t i = 0; i < fz_nconfigs; i++) {
		snprintf(name, sizeof(name), "config-%zu", i);
		snprintf(buf, sizeof(buf), "j%s", fz_configs[i]);
		write_text(dir, "fuzz_config", name, buf);
	}
	for (size_t i = 0; i < sizeof(cmdlines) / sizeof(cmdlines[0]); i++) {
		snprintf(name, sizeof(name), "cmdline-%zu", i);
		snprintf(buf, sizeof(buf), "c%s", cmdlines[i]);
		write_text(dir, "fuzz_config", name, buf);
	}
	for (size_t i = 0; i < sizeof(daemon) / sizeof(daemon[0]); i++) {
		snprintf(name, sizeof(name), "mmlabd-%zu", i);
		buf[0] = 'd';
		memcpy(buf + 1, daemon[i].w, daemon[i].n);
		write_file(dir, "fuzz_config", name, buf, daemon[i].n + 1);
	}
	for (size_t i = 0; i < sizeof(cli) / sizeof(cli[0]); i++) {
		snprintf(name, sizeof(name), "mmlab-%zu", i);
		buf[0] = 'm';
		memcpy(buf + 1, cli[i].w, cli[i].n);
		write_file(dir, "fuzz_config", name, buf, cli[i].n + 1);
	}
}

/* Snapshots of a few machines, fresh and after the setup. */
static void snapshot_seeds(const char *dir)
{
	static const size_t configs[] = { 0, 2, 3, 6 };

	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		for (int busy = 0; busy < 2; busy++) {
			struct machine *m = fz_boot(configs[i]);
			struct vars v = { .n = 0 };
			json_t *ops = json_array();
			uint8_t *snap, *seed;
			size_t len;
			char name[48];

			if (busy)
				run_setup(m, &v, ops, m->config.cpus > 1 ?
					  NSETUP : NSETUP_SMALL);
			machine_snapshot(m, &snap, &len);
			seed = malloc(len + 2);
			seed[0] = (uint8_t)configs[i];
			seed[1] = 0;	/* the header as written */
			memcpy(seed + 2, snap, len);
			snprintf(name, sizeof(name), "snap-%zu-%s", configs[i],
				 busy ? "busy" : "fresh");
			write_file(dir, "fuzz_snapshot", name, seed, len + 2);
			free(seed);
			free(snap);
			json_decref(ops);
			machine_free(m);
		}
	}
	/* journal records: J, config JSON, then "seq op args" lines */
	write_text(dir, "fuzz_snapshot", "journal-ops",
		   "J{\"ram\":\"128M\"}\n1 process_create {}\n2 kmalloc "
		   "{\"size\":64}\n3 mmap {\"len\":8192,\"pid\":1}\n2 kfree "
		   "{\"addr\":\"0xc1000000\"}\n4 vmalloc {\"size\":\"1M\"}");
	write_text(dir, "fuzz_snapshot", "journal-bad-args",
		   "J{\"ram\":\"64M\",\"pae\":true}\n1 kmalloc {\"size\":\n2 "
		   "alloc_pages [1]\n3 nosuchop {}\n4 proc_limits "
		   "{\"max_processes\":2}");
}

/* Bytes for the grammar (fuzz_util.c) from a fixed xorshift, so the
 * seeds are the same on every run: one per configuration and more. */
static void grammar_seeds(const char *dir)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	uint8_t buf[384];
	char name[32];

	for (size_t i = 0; i < 3 * fz_nconfigs; i++) {
		for (size_t k = 0; k < sizeof(buf); k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[k] = (uint8_t)x;
		}
		/* the first byte picks the configuration: not '[' or '{' */
		buf[0] = (uint8_t)i;
		snprintf(name, sizeof(name), "grammar-%02zu", i);
		write_file(dir, "fuzz_ops", name, buf, sizeof(buf));
		write_file(dir, "fuzz_diff", name, buf, 160);
	}
}

int main(int argc, char **argv)
{
	int refused = 0;
	char name[64];

	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds DIR\n");
		return 2;
	}
	mkdir(argv[1], 0777);
	for (size_t i = 0; api_op_name(i); i++) {
		const char *op = api_op_name(i);
		size_t k;

		for (k = 0; k < sizeof(examples) / sizeof(examples[0]); k++)
			if (!strcmp(examples[k].op, op))
				break;
		if (k == sizeof(examples) / sizeof(examples[0])) {
			fprintf(stderr, "gen_seeds: no example for operation %s; "
				"add one to fuzz/gen_seeds.c\n", op);
			return 1;
		}
		snprintf(name, sizeof(name), "op-%s", op);
		op_seed(argv[1], name, op, examples[k].args, &refused);
	}
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		snprintf(name, sizeof(name), "edge-%s", edges[i].name);
		op_seed(argv[1], name, edges[i].op, edges[i].args, NULL);
	}
	grammar_seeds(argv[1]);
	http_seeds(argv[1]);
	config_seeds(argv[1]);
	snapshot_seeds(argv[1]);
	if (refused)
		fprintf(stderr, "gen_seeds: %d examples were refused\n", refused);
	return refused ? 1 : 0;
}
