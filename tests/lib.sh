# tests/lib.sh - the harness the shell tests share.  POSIX sh, sourced
# from a script's own directory whatever the working directory:
#     . "$(dirname "$0")/lib.sh"          (tests/web/: "$(dirname "$0")/../lib.sh")
# and safe under set -eu.
#
# Checks and counters: $passed, $failed, $skipped
#   ok                   a check passed
#   bad MESSAGE          a check failed: "FAIL: MESSAGE"; with MM_ANSWER set,
#                        then the last answer's status and body
#   skip MESSAGE         a check that could not run: "SKIP: MESSAGE"
#   check DESC CMD...    passes if CMD... exits 0
#   same A B DESC        passes if A is B
#   summary [PRE [POST]] the last line, "PREN passed, M failed POST";
#                        returns 0 if nothing failed
#
# Temp dir, processes, daemons
#   mm_setup NAME        $TMP, a new mmlab-NAME.XXXXXX directory, with $O and
#                        $H in it for req; on exit every process in $MM_PIDS
#                        is killed (-9), mm_cleanup_extra runs (define it
#                        after sourcing) and $TMP is removed; INT, TERM exit 1
#   mm_track PID...      kill PID on exit
#   mm_reap PID          wait for PID (no longer killed on exit); its status
#   mm_start NAME LOG ARGS...
#                        $MMLABD --listen 127.0.0.1:0 ARGS (a later --listen
#                        wins) with stderr to LOG; sets $PID, $LOG, $ADDR
#                        (host:port) and $B (http://host:port) once it
#                        listens; else bad, and returns 1
#   mm_wait_listening LOG PID [SECONDS]
#                        until LOG has mmlabd's "listening on http://..."
#                        line (20 s, and while PID lives); sets $ADDR, $B
#   mm_stop SIGNAL DESC  signal $PID; a check that it exits 0
#
# HTTP, on $B: the body to $O, the headers to $H
#   req METHOD PATH [CURL ARGS...]
#                        sets $ST (status), $TYPE (Content-Type), $TIME (s)
#   mm_req METHOD URL [CURL ARGS...]
#                        the same for a whole URL (for a script's own req)
#   req_until STATUS TRIES PAUSE REQ-ARGS...
#                        req REQ-ARGS... (the script's req) until it answers
#                        STATUS, TRIES times at most, PAUSE seconds apart
#   expect STATUS DESC   the last answer's status
#   jqis FILTER VALUE DESC
#                        jq -r FILTER of the body is VALUE
#   header NAME VALUE DESC
#                        the last answer had the header (VALUE: a regex)
#   header_of NAME       the value of a header of the last answer
#
# And: mm_install PKGS... (apt-get, with sudo unless root), mm_elapsed
# (seconds since the script started).

# shellcheck disable=SC2034 # the variables set here are the scripts' to read

passed=0
failed=0
skipped=0
MM_T0=$(date +%s)
MM_PIDS=""
TMP=""
O=/dev/null
H=/dev/null
ST=""
TYPE=""
TIME=""
PID=""
LOG=""
ADDR=""
B=""
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"

# --- checks ------------------------------------------------------------------
ok() { passed=$((passed + 1)); }
bad() {
	failed=$((failed + 1))
	echo "FAIL: $*"
	if [ -n "${MM_ANSWER:-}" ]; then
		echo "  status: $ST  body: $(head -c 400 "$O" 2>/dev/null)"
	fi
}
skip() {
	skipped=$((skipped + 1))
	echo "SKIP: $*"
}
check() {
	mm_d=$1
	shift
	if "$@"; then ok; else bad "$mm_d"; fi
}
same() {
	if [ "$1" = "$2" ]; then ok; else bad "$3: '$1' is not '$2'"; fi
}
# shellcheck disable=SC2120 # PRE and POST are optional
summary() {
	echo "${1:-}$passed passed, $failed failed${2:-}"
	[ "$failed" -eq 0 ]
}
mm_elapsed() { echo $(($(date +%s) - MM_T0)); }

# --- the temp dir and the processes to kill -----------------------------------
mm_setup() {
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/mmlab-$1.XXXXXX") || exit 1
	O=$TMP/out
	H=$TMP/headers
	trap mm_cleanup EXIT
	trap 'exit 1' INT TERM
}
mm_cleanup_extra() { :; }
mm_cleanup() {
	for mm_p in $MM_PIDS; do kill -9 "$mm_p" 2>/dev/null || :; done
	for mm_p in $MM_PIDS; do wait "$mm_p" 2>/dev/null || :; done
	MM_PIDS=""
	mm_cleanup_extra || :
	if [ -n "$TMP" ]; then rm -rf "$TMP"; fi
}
mm_track() { MM_PIDS="$MM_PIDS $*"; }
mm_reap() {
	mm_rc=0
	wait "$1" 2>/dev/null || mm_rc=$?
	mm_left=""
	for mm_p in $MM_PIDS; do
		if [ "$mm_p" != "$1" ]; then mm_left="$mm_left $mm_p"; fi
	done
	MM_PIDS=$mm_left
	return $mm_rc
}

# --- daemons ------------------------------------------------------------------
mm_wait_listening() {
	mm_n=$((${3:-20} * 20))
	mm_i=0
	until grep -q 'listening on' "$1" 2>/dev/null; do
		mm_i=$((mm_i + 1))
		if [ $mm_i -gt $mm_n ] || ! kill -0 "$2" 2>/dev/null; then
			return 1
		fi
		sleep 0.05
	done
	ADDR=$(sed -n 's|.*listening on http://\([^/]*\)/.*|\1|p' "$1" | head -n 1)
	B=http://$ADDR
}
mm_start() {
	mm_name=$1
	LOG=$2
	shift 2
	"$MMLABD" --listen 127.0.0.1:0 "$@" 2>"$LOG" &
	PID=$!
	mm_track "$PID"
	if ! mm_wait_listening "$LOG" "$PID"; then
		bad "$mm_name did not start: $(tail -n 20 "$LOG")"
		return 1
	fi
}
mm_stop() {
	kill -"$1" "$PID"
	mm_rc=0
	mm_reap "$PID" || mm_rc=$?
	if [ $mm_rc -eq 0 ]; then ok
	else bad "$2: exit status $mm_rc: $(tail -n 3 "$LOG")"; fi
}

# --- HTTP ---------------------------------------------------------------------
mm_req() {
	mm_m=$1
	mm_url=$2
	shift 2
	if [ "$mm_m" = HEAD ]; then set -- -I "$@"; else set -- -X "$mm_m" "$@"; fi
	: >"$O"
	mm_out=$(curl -s -m 30 -o "$O" -D "$H" \
		-w '%{http_code} %{content_type} %{time_total}' "$@" "$mm_url")
	ST=${mm_out%% *}
	mm_out=${mm_out#* }
	TYPE=${mm_out% *}
	TIME=${mm_out##* }
}
req() {
	mm_m=$1
	mm_path=$2
	shift 2
	mm_req "$mm_m" "$B$mm_path" "$@"
}
req_until() {
	mm_uwant=$1
	mm_utries=$2
	mm_upause=$3
	shift 3
	mm_ui=1
	req "$@"
	while [ "$ST" != "$mm_uwant" ] && [ $mm_ui -lt "$mm_utries" ]; do
		sleep "$mm_upause"
		mm_ui=$((mm_ui + 1))
		req "$@"
	done
}
expect() {
	if [ "$ST" = "$1" ]; then ok
	elif [ -n "${MM_ANSWER:-}" ]; then bad "$2: want $1"
	else bad "$2: status $ST, want $1: $(head -c 300 "$O" 2>/dev/null)"; fi
}
jqis() {
	mm_got=$(jq -r "$1" "$O" 2>/dev/null)
	if [ "$mm_got" = "$2" ]; then ok; else bad "$3: $1 is '$mm_got', want '$2'"; fi
}
header() {
	if grep -qi "^$1: $2" "$H"; then ok
	else bad "$3: no '$1: $2' in $(tr -d '\r' <"$H" | tr '\n' '|')"; fi
}
header_of() {
	tr -d '\r' <"$H" | awk -v n="$1: " '
		tolower(substr($0, 1, length(n))) == tolower(n) {
			print substr($0, length(n) + 1)
			exit
		}'
}

# --- packages -----------------------------------------------------------------
mm_as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
mm_install() {
	mm_as_root apt-get update -qq &&
		mm_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "$@" >/dev/null
}
