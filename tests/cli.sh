#!/bin/sh
# cli.sh - drive the command-line front end: sh tests/cli.sh build/mmlab
#
# Each check runs the binary, then looks at its exit status, stdout and
# stderr.  Exits non-zero if any check failed; the last line is always
# "N passed, M failed".

MMLAB=${1:-build/mmlab}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mmlab-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
OUT=$TMP/out
ERR=$TMP/err
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() {
	failed=$((failed + 1))
	echo "FAIL: $*"
	echo "  stdout: $(head -c 400 "$OUT")"
	echo "  stderr: $(head -c 400 "$ERR")"
}

# run EXPECTED_STATUS ARGS... : run the binary, keep its output
run() {
	want=$1
	shift
	"$MMLAB" "$@" >"$OUT" 2>"$ERR"
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "mmlab $* exited $got, want $want"
		return 1
	fi
	return 0
}

# has FILE TEXT DESCRIPTION : FILE contains the fixed string TEXT
has() {
	if grep -qF -- "$2" "$1"; then ok; else bad "$3: no '$2'"; fi
}

# line FILE TEXT DESCRIPTION : FILE has a line that is exactly TEXT
line() {
	if grep -qxF -- "$2" "$1"; then ok; else bad "$3: no line '$2'"; fi
}

# lines_in_order FILE DESCRIPTION TEXT... : FILE has lines exactly TEXT,
# in this order (others may come between)
lines_in_order() {
	f=$1
	d=$2
	shift 2
	if awk 'BEGIN { n = 1; for (i = 1; i < ARGC; i++) want[i] = ARGV[i];
			 total = ARGC - 1; ARGC = 1 }
		n <= total && $0 == want[n] { n++ }
		END { exit n <= total }' "$@" <"$f"; then ok
	else bad "$d: the lines '$*' are not all there in order"; fi
}

# valid_json FILE DESCRIPTION
valid_json() {
	if command -v python3 >/dev/null 2>&1; then
		if python3 -m json.tool "$1" >/dev/null 2>&1; then ok
		else bad "$2: not valid JSON"; fi
	else
		# no python: the document at least opens and closes
		if head -c 1 "$1" | grep -q '[[{]' &&
		   tail -c 2 "$1" | grep -q '[]}]'; then ok
		else bad "$2: not JSON-shaped"; fi
	fi
}

if [ ! -x "$MMLAB" ]; then
	echo "FAIL: $MMLAB is not an executable"
	echo "0 passed, 1 failed"
	exit 1
fi

# --- the default run: dmesg and meminfo --------------------------------------
if run 0; then
	ok
	has "$OUT" "LOWMEM available" "default run prints dmesg"
	has "$OUT" "MemTotal:" "default run prints meminfo"
	has "$OUT" "[    0.000000] BIOS-provided physical RAM map:" \
		"dmesg lines carry the printk stamp"
fi

# --- options and reports ------------------------------------------------------
if run 0 --ram 2G --pae --cmdline "vmalloc=256M" dmesg meminfo zoneinfo; then
	ok
	has "$OUT" "Kernel command line: vmalloc=256M" "cmdline reaches dmesg"
	has "$OUT" "HighTotal:" "meminfo after dmesg"
	has "$OUT" "Node 0, zone   Normal" "zoneinfo last"
	has "$OUT" "NX (Execute Disable) protection: active" \
		"the PAE kernel booted"
fi

for r in dmesg cmdline meminfo zoneinfo buddyinfo pagetypeinfo iomem \
	 layout e820 memblock; do
	if run 0 "$r"; then ok; fi
	if run 0 --json "$r"; then
		ok
		valid_json "$OUT" "--json $r"
	fi
done

if run 0 --ram=1G --vmsplit 2G --cpus 2 --seed 7 layout; then
	ok
	has "$OUT" "PAGE_OFFSET" "layout table"
	has "$OUT" "0x80000000" "vmsplit 2G moves PAGE_OFFSET"
	has "$OUT" "virtual kernel memory layout:" "layout banner"
fi

if run 0 --json meminfo; then
	ok
	valid_json "$OUT" "--json meminfo"
	has "$OUT" '"MemTotal":' "meminfo JSON has MemTotal"
fi

if run 0 --config '{"ram": "1G", "pae": true}' --json layout; then
	ok
	has "$OUT" '"pae": true' "--config sets pae"
fi
if run 0 --config '{"ram": "1G"}' --ram 512M --json meminfo; then
	ok
	if grep -q '"MemTotal": 5[0-9][0-9][0-9][0-9][0-9],' "$OUT"; then ok
	else bad "--ram overrides --config's ram"; fi
fi

printf '%s' '[{"start": 0, "size": "639K", "type": "usable"},
 {"start": "1M", "size": "1023M", "type": "usable"}]' >"$TMP/map.json"
if run 0 --e820 "@$TMP/map.json" e820; then
	ok
	has "$OUT" "BIOS-e820: [mem 0x0000000000100000-0x000000003fffffff] usable" \
		"--e820 from a file"
fi

# --- operations -----------------------------------------------------------------
if run 0 'op:alloc_pages:{"order":3,"gfp":"GFP_KERNEL"}'; then
	ok
	valid_json "$OUT" "alloc_pages result"
	has "$OUT" '"ok": true' "alloc_pages succeeds"
	has "$OUT" '"zone": "Normal"' "GFP_KERNEL comes from Normal"
	has "$OUT" '"virt": "0xc' "a lowmem block has a kernel address"
fi
if run 0 'op:alloc_pages:{"gfp":"GFP_HIGHUSER_MOVABLE"}'; then
	ok
	has "$OUT" '"zone": "HighMem"' "GFP_HIGHUSER_MOVABLE comes from HighMem"
	has "$OUT" '"virt": null' "a highmem block has no kernel address"
fi
if run 0 op:alloc_pages 'op:frame:{"phys":"0x1000000"}' buddyinfo; then
	ok
	has "$OUT" '"state": "reserved"' "the kernel image is reserved"
	has "$OUT" "Node 0, zone      DMA" "a report after operations"
fi

# a refusal by the model: the problem JSON on stderr, status 1
if run 1 'op:free_pages:{"phys":"0x1000000"}'; then
	ok
	valid_json "$ERR" "problem JSON"
	has "$ERR" '"status": 409' "freeing a reserved frame is a conflict"
	has "$ERR" '"type": "https://mmlab.dev/problems/' "problem type URI"
fi
if run 1 'op:alloc_pages:{"order":11}'; then
	ok
	has "$ERR" '"field": "order"' "order 11 names order"
fi
# out of memory is a refusal too: 422 out-of-memory with the story
ops=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	ops="$ops op:alloc_pages:{\"order\":10}"
done
# shellcheck disable=SC2086
if run 1 --ram 64M $ops; then
	ok
	has "$ERR" '"type": "https://mmlab.dev/problems/out-of-memory"' "out of memory: its type"
	has "$ERR" '"status": 422' "out of memory: 422"
	has "$ERR" '"watermark": "min"' "out of memory: the attempts, with their watermarks"
fi

# --- processes through the command line ------------------------------------------
# norandmaps: the layout of tests/test_mm.c (mmap_base 0xb8000000); the
# first anonymous mmap of 8 KiB lands just below it
if run 0 --cmdline norandmaps op:process_create \
	'op:mmap:{"pid":1,"len":8192}' \
	'op:access:{"pid":1,"addr":"0xb7ffe000","access":"write"}' \
	'op:fork:{"pid":1}' \
	'op:access:{"pid":2,"addr":"0xb7ffe000","access":"write"}' \
	'op:maps:{"pid":2}' 'op:status:{"pid":2}' op:processes \
	'op:translate:{"pid":2,"addr":"0xb7ffe000"}' 'op:exit:{"pid":1}'; then
	ok
	line "$OUT" '  "addr": "0xb7ffe000",' "mmap below mmap_base"
	line "$OUT" '  "outcome": "handled",' "the write faults and is handled"
	# the parent's write takes the first HighMem frame from the top;
	# the child's write copies it to the next one
	line "$OUT" '    "pfn": "0x0007ffc0"' "the parent's frame"
	line "$OUT" '    "cow_copy": true,' "the child's write copies on write"
	line "$OUT" '    "pfn": "0x0007ffc1"' "the child's copy"
	lines_in_order "$OUT" "maps of the child" \
		'    "08048000-08049000 r-xp 00000000 00:02 12         /bin/busybox",' \
		'    "08049000-0804a000 rw-p 00001000 00:02 12         /bin/busybox",' \
		'    "0804a000-0804b000 rw-p 00000000 00:00 0          [heap]",' \
		'    "b7ffe000-b8000000 rw-p 00000000 00:00 0 ",' \
		'    "bffdf000-c0000000 rw-p 00000000 00:00 0          [stack]"'
	lines_in_order "$OUT" "status of the child" \
		'    "Name:\tbusybox",' '    "State:\tS (sleeping)",' \
		'    "Pid:\t2",' '    "PPid:\t1",' \
		'    "VmPeak:\t     152 kB",' '    "VmSize:\t     152 kB",' \
		'    "VmHWM:\t       4 kB",' '    "VmRSS:\t       4 kB",' \
		'    "RssAnon:\t       4 kB",' '    "VmData:\t      16 kB",' \
		'    "VmStk:\t     132 kB",' '    "VmPTE:\t       4 kB",' \
		'    "VmSwap:\t       0 kB",'
	lines_in_order "$OUT" "processes lists parent and child" \
		'  "count": 2,' '      "pid": 1,' '      "ppid": 0,' \
		'      "pid": 2,' '      "ppid": 1,'
	# translate in the child's view: the frame the copy gave it
	line "$OUT" '  "phys": "0x7ffc1000",' "translate with pid"
	line "$OUT" '  "mode": "user"' "translate with pid is a user access"
	line "$OUT" '  "pages_freed": 3' "exit gives back frame, PTE page, pgd"
fi
if run 1 op:process_create 'op:access:{"pid":9,"addr":"0x08048000"}'; then
	ok
	has "$ERR" '"type": "https://mmlab.dev/problems/no-such-process"' \
		"an unknown pid"
	has "$ERR" '"status": 404' "an unknown pid is not found"
fi
if run 1 op:process_create 'op:mmap:{"pid":1}'; then
	ok
	has "$ERR" '"field": "len"' "mmap without len names len"
fi
if run 0 op:process_create \
	'op:access:{"pid":1,"addr":"0x08048000","access":"write"}'; then
	ok
	line "$OUT" '  "outcome": "SIGSEGV",' "a write to text"
	line "$OUT" '    "si_code": "SEGV_ACCERR",' "text is not writable"
fi
if run 0 --json 'op:frames:{"count":32}'; then
	ok
	line "$OUT" '      "state": "reserved",' "frames: the first MiB"
	line "$OUT" '  "max_pfn": "0x0007ffe0",' "frames: max_pfn of 2 GiB"
fi

# --- usage and configuration errors: status 2, a message naming the problem
if run 2 --vmsplit 3G_OPT --pae; then
	ok
	has "$ERR" "vmsplit" "3G_OPT with PAE names vmsplit"
fi
if run 2 --ram 12K; then
	ok
	has "$ERR" "ram" "12K names ram"
fi
if run 2 --ram lots; then ok; has "$ERR" "ram" "a bad size names ram"; fi
if run 2 --cpus 99; then ok; has "$ERR" "cpus" "99 CPUs names cpus"; fi
if run 2 --cmdline "memmap=junk"; then
	ok
	has "$ERR" "cmdline" "a bad memmap= names cmdline"
fi
if run 2 --ram 1G --e820 '[]'; then ok; has "$ERR" "e820" "ram with e820"; fi
if run 2 --e820 '[{"start": 0, "size": "1G", "type": "bogus"}]'; then
	ok
	has "$ERR" "e820[0].type" "a bad e820 type names the entry"
fi
if run 2 --e820 '[oops'; then ok; has "$ERR" "--e820" "bad JSON names --e820"; fi
if run 2 --config '{"rom": "1G"}'; then
	ok
	has "$ERR" "rom" "an unknown config field is named"
fi
if run 2 --ram 64M --cmdline mem=16M; then
	ok
	has "$ERR" "cannot boot" "an unbootable machine"
fi
if run 2 slabinfo_typo; then
	ok
	has "$ERR" "slabinfo_typo" "unknown report is named"
fi
if run 2 op:kmalloc_all; then
	ok
	has "$ERR" "kmalloc_all" "unknown operation is named"
fi
if run 2 'op:alloc_pages:{bad'; then ok; fi
if run 2 --frobnicate; then ok; has "$ERR" "--frobnicate" "unknown option"; fi
if run 2 --ram; then ok; has "$ERR" "needs a value" "missing value"; fi
if run 2 --pae=yes; then ok; fi
# nothing reaches stdout when the command line is wrong
if run 2 meminfo bogus; then
	if [ -s "$OUT" ]; then bad "output before a usage error"; else ok; fi
fi

# --- help -------------------------------------------------------------------------
if run 0 --help; then
	ok
	has "$OUT" "usage: mmlab" "--help prints usage"
	has "$OUT" "op:NAME[:JSON]" "--help explains operations"
fi

# --- exercises ---------------------------------------------------------------------
if run 0 exercises; then
	ok
	has "$OUT" '"type": "zone"' "the catalogue lists zone"
	has "$OUT" '"misconception"' "the catalogue names misconceptions"
fi
if run 0 exercise:kmalloc_size:3; then
	ok
	has "$OUT" '"question": "The kernel calls kmalloc(' "a variant's question"
	has "$OUT" '"key"' "a variant's key"
	cp "$OUT" "$TMP/first"
	if run 0 exercise:kmalloc_size:3 && cmp -s "$OUT" "$TMP/first"; then
		ok
	else
		bad "the same exercise twice printed different bytes"
	fi
fi
if run 2 exercise:zones:1; then ok; has "$ERR" "no exercise type 'zones'" "unknown type"; fi
if run 2 exercise:zone:x1; then ok; has "$ERR" "exercise:TYPE:SEED" "bad seed"; fi
if run 2 exercise:zone; then ok; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
