#!/bin/sh
# bench_http.sh - the daemon under wrk: requests per second and p50/p99
# latency of GET /healthz (the ceiling of the same server), GET translate
# of one address (answered from the machine's answer cache), GET
# translate of a new address every request (a walk and a rendering each:
# wrk_translate_new.lua), POST kmalloc + kfree pairs, for each
# libmicrohttpd threading mode (--http-threads 0, 1, 2, 4); and the same
# kmalloc + kfree load against a daemon keeping a store on disk, in the
# default mode.  It ends with one table of the default mode's figures,
# each ratio beside its target (issue 13):
#   translate, cached         / healthz       >= 0.9
#   translate, new addresses  / healthz       >= 0.8
#   kmalloc+kfree             / healthz       >= 0.8
#   kmalloc+kfree, durable    / in memory     >= 0.6
#
#   sh bench/bench_http.sh [build/mmlabd]
#
# Non-zero exit when, for the default mode, a ratio misses its target
# (the median over the rounds) or translate's p99 is 5 ms or more; when a
# run sees a non-2xx answer or a socket error; or when keep-alive is not
# held.
#
# Environment:
#   BENCH_SECONDS       wrk duration of each load (5)
#   BENCH_CONNECTIONS   wrk connections (64)
#   BENCH_THREADS       wrk threads (2)
#   BENCH_MODES         --http-threads values to measure ("0 1 2 4")
#   BENCH_DEFAULT_MODE  the mode the targets apply to (1, mmlabd's default)
#   BENCH_MACHINES      machines the loads are spread over (8, at most 8)
#   BENCH_ROUNDS        rounds over all modes; the gate takes the median (1)
#   BENCH_RETRIES       runs again a load that other programs disturbed (2)
#   BENCH_STORE         1: each daemon keeps a fresh store on disk under
#                       ${TMPDIR:-/tmp} (0: --in-memory, so the figures are
#                       HTTP and the model; bench_store.sh measures the store)
#   BENCH_DAEMON_ARGS   more flags for every mmlabd (none)
#   BENCH_ADDR          the address GET translate walks (0xc2001000)
#   BENCH_DURABLE       0: skip the durable kmalloc+kfree run (1); its
#                       store goes under BENCH_STORE_DIR (${TMPDIR:-/tmp},
#                       which should be a real disk, not tmpfs)
#
# wrk and the daemon share the machine's cores: on a 2-core host the two
# wrk threads compete with the daemon's threads, so the figures are those
# of a loaded host, not of the daemon alone.
set -u

BIN=${1:-build/mmlabd}
SECS=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-64}
WTHREADS=${BENCH_THREADS:-2}
MODES=${BENCH_MODES:-"0 1 2 4"}
DEFAULT_MODE=${BENCH_DEFAULT_MODE:-1}
NMACH=${BENCH_MACHINES:-8}
ROUNDS=${BENCH_ROUNDS:-1}
RETRIES=${BENCH_RETRIES:-2}
DARGS=${BENCH_DAEMON_ARGS:-}
WITH_STORE=${BENCH_STORE:-0}
BUSY=0.2	# cores other programs may take before a run counts as disturbed
MAX_P99_MS=5
DURABLE=${BENCH_DURABLE:-1}
STORE_DIR=${BENCH_STORE_DIR:-${TMPDIR:-/tmp}}
TADDR=${BENCH_ADDR:-0xc2001000}	# the address translate walks
export BENCH_ADDR="$TADDR"	# for wrk_translate.lua
HERE=$(cd "$(dirname "$0")" && pwd)

fail=0
err() { echo "bench_http: $*" >&2; fail=1; }
die() { echo "bench_http: $*" >&2; exit 1; }
# keepalive, ms, and the tests' harness (mm_wait_listening)
. "$(dirname "$0")/lib.sh"

[ -x "$BIN" ] || die "no daemon at $BIN (make build/mmlabd)"
case $NMACH in [1-8]) ;; *) die "BENCH_MACHINES must be 1 to 8" ;; esac

# --- what the benchmark needs, from Debian like the Makefile's deps -------
missing=""
for p in wrk curl jq; do
	command -v $p >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
	$SUDO apt-get update -qq || die "apt-get update failed"
	# shellcheck disable=SC2086 # a list of packages
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends $missing || die "cannot install$missing"
fi

NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench_http.XXXXXX") || die "no temp dir"
DISK=$(mktemp -d "$STORE_DIR/bench_http_store.XXXXXX") || die "no store dir"
if [ "$WITH_STORE" = 0 ] && "$BIN" --help 2>/dev/null | grep -q -- '--in-memory'
then
	STORE=--in-memory
else
	STORE="--data $TMP/data"	# a fresh store for each daemon
fi
DPID=""
stop_daemon() {
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	i=0
	while kill -0 "$DPID" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -TERM "$DPID" 2>/dev/null	# a second signal stops at once
	wait "$DPID" 2>/dev/null
	DPID=""
}
# shellcheck disable=SC2317 # called by the trap
cleanup() { stop_daemon; rm -rf "$TMP" "$DISK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_daemon MODE [STORE-FLAGS]: sets DPID and PORT
start_daemon() {
	rm -rf "$TMP/data" "$DISK/data"
	mkdir -p "$TMP/data" "$DISK/data"
	: > "$TMP/daemon.err"
	# shellcheck disable=SC2086 # STORE and DARGS are lists of flags
	"$BIN" --listen 127.0.0.1:0 --http-threads "$1" --rate 0 --quiet \
		--max-connections-per-ip 0 --max-connections 4096 \
		--max-machines 1000 --idle-expiry 0 ${2:-$STORE} $DARGS \
		2>"$TMP/daemon.err" &
	DPID=$!
	if ! mm_wait_listening "$TMP/daemon.err" "$DPID" 10; then
		cat "$TMP/daemon.err" >&2
		die "mmlabd --http-threads $1 did not start"
	fi
	PORT=${ADDR##*:}
}

# CPU time in seconds: of the whole host (busy and total, all cores), of
# the daemon, and of this shell's finished children (wrk, once reaped)
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)
host_cpu() {
	awk -v hz="$HZ" '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i
		printf "%.2f %.2f\n", (t - $5 - $6) / hz, t / hz }' /proc/stat
}
daemon_cpu() {
	awk -v hz="$HZ" '{ printf "%.2f\n", ($14 + $15) / hz }' \
		"/proc/$DPID/stat" 2>/dev/null || echo 0
}
# children_cpu FILE: run in this shell, not in $(...), whose children
# are not ours ("times" is a builtin)
children_cpu() {
	times >"$TMP/times"
	awk 'NR == 2 { t = 0
		for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
		printf "%.2f\n", t }' "$TMP/times" >"$1"
}

# run_wrk MODE LOAD ROUND ARGS...: one wrk run, appended to $TMP/results
# as "round mode load rps p50_ms p99_ms srv_cores wrk_cores other_cores":
# the cores the daemon, wrk and everything else on the host kept busy
run_wrk() {
	mode=$1 load=$2 round=$3; shift 3
	out="$TMP/wrk.$round.$mode.$load"
	try=0
	while :; do
		children_cpu "$TMP/c0"
		h0=$(host_cpu) d0=$(daemon_cpu)
		wrk -t "$WTHREADS" -c "$CONNS" -d "${SECS}s" --latency "$@" \
			>"$out" 2>&1
		rc=$?
		h1=$(host_cpu) d1=$(daemon_cpu)
		children_cpu "$TMP/c1"
		c0=$(cat "$TMP/c0") c1=$(cat "$TMP/c1")
		cores=$(echo "$h0 $h1 $d0 $d1 $c0 $c1" | awk -v ncpu="$NCPU" '{
			wall = ($4 - $2) / ncpu; if (wall <= 0) wall = 1
			srv = ($6 - $5) / wall; w = ($8 - $7) / wall
			other = ($3 - $1) / wall - srv - w
			if (other < 0) other = 0
			printf "%.2f %.2f %.2f", srv, w, other }')
		other=${cores##* }
		if ! kill -0 "$DPID" 2>/dev/null; then
			err "mmlabd --http-threads $mode died during $load:"
			cat "$TMP/daemon.err" >&2
			break
		fi
		# another program took a share of the cores: measure again
		awk -v o="$other" -v b="$BUSY" 'BEGIN { exit !(o > b) }' || break
		[ $try -lt "$RETRIES" ] || break
		try=$((try + 1))
		echo "bench_http: mode $mode, $load: other programs kept" \
			"$other cores busy; again ($try of $RETRIES)" >&2
		sleep 1
	done
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p50=$(awk '$1 == "50%" { print $2 }' "$out")
	p99=$(awk '$1 == "99%" { print $2 }' "$out")
	if [ "$rc" -ne 0 ] || [ -z "$rps" ] || [ -z "$p50" ] || [ -z "$p99" ]; then
		err "wrk failed (mode $mode, $load):"
		cat "$out" >&2
		return
	fi
	if grep -q 'Non-2xx or 3xx responses' "$out"; then
		err "mode $mode, $load: $(grep 'Non-2xx' "$out" | sed 's/^ *//')"
	fi
	if grep -q 'Socket errors' "$out"; then
		err "mode $mode, $load: $(grep 'Socket errors' "$out" | sed 's/^ *//')"
	fi
	if [ "${load%-disk}" = kmalloc+kfree ]; then
		line=$(grep '^kmalloc-kfree:' "$out")
		bad=$(echo "$line" | awk '{ print $7 }')
		if [ -z "$line" ] || [ "$bad" != 0 ]; then
			err "mode $mode, kmalloc+kfree: unexpected answers: $line"
		fi
		echo "$round $mode $load $(echo "$line" | awk '{ print $3, $5 }')" \
			>>"$TMP/pairs"
	fi
	echo "$round $mode $load $rps $(ms "$p50") $(ms "$p99") $cores" \
		>>"$TMP/results"
}

# make_machines: NMACH machines on the daemon at PORT; sets base and
# margs (their ID:TOKEN words)
make_machines() {
	base="http://127.0.0.1:$PORT"
	margs=""
	k=0
	while [ $k -lt "$NMACH" ]; do
		curl -sf -X POST "$base/v1/machines" -d '{"ram":"2G"}' \
			>"$TMP/machine.json" || die "cannot create a machine (mode $mode)"
		margs="$margs $(jq -r '.id + ":" + .token' "$TMP/machine.json")"
		k=$((k + 1))
	done
}

: >"$TMP/results"
: >"$TMP/pairs"
r=1
while [ $r -le "$ROUNDS" ]; do
	for mode in $MODES; do
		start_daemon "$mode"
		make_machines
		# shellcheck disable=SC2086 # ID:TOKEN words
		set -- $margs
		id=${1%%:*} tok=${1#*:}
		auth="Authorization: Bearer $tok"
		if [ "$r" -eq 1 ]; then
			keepalive "GET /healthz, mode $mode" \
				"$base/healthz" "$base/healthz"
			keepalive "GET translate, mode $mode" -H "$auth" \
				"$base/v1/machines/$id/translate?addr=$TADDR" \
				"$base/v1/machines/$id/translate?addr=$TADDR"
			keepalive "POST kmalloc, mode $mode" -H "$auth" \
				-H 'Content-Type: application/json' -d '{"size":64}' \
				"$base/v1/machines/$id/kmalloc" \
				"$base/v1/machines/$id/kmalloc"
		fi
		run_wrk "$mode" healthz "$r" "$base/healthz"
		# shellcheck disable=SC2086 # ID:TOKEN words
		run_wrk "$mode" translate "$r" -s "$HERE/wrk_translate.lua" \
			"$base" -- $margs
		# shellcheck disable=SC2086
		run_wrk "$mode" translate-new "$r" \
			-s "$HERE/wrk_translate_new.lua" "$base" -- $margs
		# shellcheck disable=SC2086
		run_wrk "$mode" kmalloc+kfree "$r" -s "$HERE/wrk_kmalloc.lua" \
			"$base" -- $margs
		stop_daemon
	done
	# the same pairs with every change on disk before its answer
	if [ "$DURABLE" = 1 ] && [ "$STORE" = --in-memory ]; then
		mode=$DEFAULT_MODE
		start_daemon "$mode" "--data $DISK/data"
		make_machines
		# shellcheck disable=SC2086
		run_wrk "$mode" kmalloc+kfree-disk "$r" \
			-s "$HERE/wrk_kmalloc.lua" "$base" -- $margs
		stop_daemon
	fi
	r=$((r + 1))
done

# --- the table ---------------------------------------------------------------
echo
echo "wrk -t $WTHREADS -c $CONNS -d ${SECS}s on $NCPU cores" \
	"(wrk shares them with the daemon);" \
	"loads spread over $NMACH machines; mmlabd ${STORE%% *}${DARGS:+ $DARGS}"
echo "cores kept busy during each run: srv (mmlabd), wrk, other (the rest"
echo "of the host: anything but 0.00 disturbs the figures); srv_us: mmlabd's"
echo "CPU time per request in microseconds"
printf '%-5s %-10s %-18s %8s %7s %7s %5s %5s %5s %6s\n' round mode load req/s \
	p50_ms p99_ms srv wrk other srv_us
awk '{ m = $2 == 0 ? "0 (libuv)" : $2 " (MHD)"
       printf "%-5s %-10s %-18s %8.0f %7.3f %7.3f %5.2f %5.2f %5.2f %6.1f\n",
	      $1, m, $3, $4, $5, $6, $7, $8, $9, ($4 > 0 ? $7 * 1e6 / $4 : 0) }' \
	"$TMP/results"
busy=$(awk '$9 > b { b = $9 } END { printf "%.2f", b + 0 }' "$TMP/results")
if awk -v b="$busy" -v lim="$BUSY" 'BEGIN { exit !(b > lim) }'; then
	echo "bench_http: warning: other processes kept up to $busy cores busy" \
		"during a run; the figures are disturbed (run again on a quiet host)"
fi
echo
echo "kmalloc+kfree requests: one pair is two requests (pairs/s = req/s / 2)"
awk '{ printf "  round %s mode %s %s: %s kmalloc, %s kfree\n", $1, $2,
	     $3 == "kmalloc+kfree" ? "in memory" : "durable", $4, $5 }' \
	"$TMP/pairs"
echo
echo "translate (cached) / healthz by mode; translate p99 under $MAX_P99_MS ms:"
# per mode: the median of each round's ratio and translate p99
awk -v maxp="$MAX_P99_MS" '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$4 > 0 { us[$1, $2, $3] = $7 * 1e6 / $4 }
	$3 == "healthz" { h[$1, $2] = $4 }
	$3 == "translate" { t[$1, $2] = $4; p[$1, $2] = $6
			    if (!($2 in seen)) { seen[$2] = 1; order[++nm] = $2 }
			    if ($1 > nr) nr = $1 }
	END {
		for (i = 1; i <= nm; i++) {
			m = order[i]; n = 0
			for (r = 1; r <= nr; r++) {
				if (!((r, m) in h) || !((r, m) in t) || h[r, m] == 0)
					continue
				n++
				ra[n] = t[r, m] / h[r, m]; pa[n] = p[r, m]
				ha[n] = us[r, m, "healthz"]
				ta[n] = us[r, m, "translate"]
			}
			if (!n)
				continue
			mt = median(ta, n)
			printf "  mode %-2s ratio %.2f  translate p99 %.3f ms%s\n",
				m, median(ra, n), median(pa, n),
				(median(pa, n) < maxp ? "" : "  (over)")
			printf "          mmlabd CPU per request: healthz %.1f us," \
				" translate %.1f us\n", median(ha, n), mt
		}
	}' "$TMP/results"
echo
echo "the default mode ($DEFAULT_MODE), medians over $ROUNDS round(s)" \
	"(each ratio is of figures of the same round;"
echo "srv_us: mmlabd's CPU per request; cpu: the ratio of those, srv_us of"
echo "the figure it is of over its own, steadier than req/s on a busy host;"
echo "the verdict is on req/s):"
# figure: load, the load it is a ratio of, target
[ "$DURABLE" = 1 ] && [ "$STORE" = --in-memory ] && durable=1 || durable=0
awk -v def="$DEFAULT_MODE" -v maxp="$MAX_P99_MS" -v durable="$durable" '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$2 == def { rps[$1, $3] = $4; p99[$1, $3] = $6
		    us[$1, $3] = $4 > 0 ? $7 * 1e6 / $4 : 0
		    if ($1 > nr) nr = $1 }
	function row(name, load, of, target,   n, r, x, ra, q, u, cr, line, ok) {
		n = 0; line = ""
		for (r = 1; r <= nr; r++) {
			if (!((r, load) in rps) || !((r, of) in rps) ||
			    rps[r, of] == 0)
				continue
			n++
			x[n] = rps[r, load]; ra[n] = rps[r, load] / rps[r, of]
			q[n] = p99[r, load]; u[n] = us[r, load]
			cr[n] = us[r, load] > 0 ? us[r, of] / us[r, load] : 0
			line = line sprintf("%s%.2f", n > 1 ? " " : "", ra[n])
		}
		if (!n) {
			printf "  %-26s %8s %7s %6s %6s %5s  %-13s %s\n", name,
				"-", "-", "-", "-", "-", of, "not measured"
			bad = 1
			return
		}
		if (target == "") {
			printf "  %-26s %8.0f %7.3f %6.1f\n", name, median(x, n),
				median(q, n), median(u, n)
			return
		}
		ok = median(ra, n) >= target
		if (!ok)
			bad = 1
		printf "  %-26s %8.0f %7.3f %6.1f %6.2f %5.2f  %-13s >= %-4s %s%s\n",
			name, median(x, n), median(q, n), median(u, n),
			median(ra, n), median(cr, n), of, target,
			ok ? "PASS" : "MISS", (nr > 1 ? "  (rounds: " line ")" : "")
	}
	END {
		bad = 0
		printf "  %-26s %8s %7s %6s %6s %5s  %-13s %-7s %s\n", "figure",
			"req/s", "p99_ms", "srv_us", "ratio", "cpu", "of", "target",
			"verdict"
		row("healthz", "healthz", "healthz", "")
		row("translate, cached", "translate", "healthz", 0.9)
		row("translate, new addresses", "translate-new", "healthz", 0.8)
		row("kmalloc+kfree", "kmalloc+kfree", "healthz", 0.8)
		if (durable)
			row("kmalloc+kfree, durable", "kmalloc+kfree-disk",
			    "kmalloc+kfree", 0.6)
		else
			printf "  %-26s skipped (BENCH_DURABLE=0, or BENCH_STORE=1:" \
				" nothing in memory to compare with)\n",
				"kmalloc+kfree, durable"
		for (r = 1; r <= nr; r++)
			if ((r, "translate") in p99 && p99[r, "translate"] >= maxp)
				bad = 1
		exit bad
	}' "$TMP/results" || err "default mode $DEFAULT_MODE misses a target" \
		"(a ratio MISS above, or translate p99 of $MAX_P99_MS ms or more)"

[ $fail -eq 0 ] && echo "bench_http: ok" || echo "bench_http: FAILED"
exit $fail
