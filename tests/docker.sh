#!/bin/sh
# docker.sh - the Dockerfile, really built and run: sh tests/docker.sh
#
# No Docker engine runs here, so buildah builds the Dockerfile (chroot
# isolation, vfs storage, the host's network) and `buildah run` starts
# the image as `docker run` would: its entrypoint, as its user, with a
# host directory as the /var/lib/mmlab volume.  Then:
#
#   config    the image runs as a non-root user, declares the volume,
#             listens on 0.0.0.0:8080, has a HEALTHCHECK and stops on
#             SIGTERM; the runtime has no compiler; its size is printed;
#             deploy/compose*.yaml are valid (docker-compose config)
#   run       with compose.yaml's environment (token, limits): /healthz
#             answers; the image's HEALTHCHECK command passes inside the
#             container (and fails when nothing listens); README.md's curl
#             walkthrough runs against the container
#   restart   SIGTERM: exit 0 with "stopped"; a new container on the same
#             volume has the machines back, bit for bit; an online backup
#             (sqlite3 .backup) taken meanwhile
#   defaults  in a network namespace of its own (ip netns), the image with
#             nothing set listens on 0.0.0.0:8080, its HEALTHCHECK passes
#             as Docker runs it, and a volume holding only the backup
#             brings the machines back
#
# There is no registry to pull debian:bookworm-slim from: the first run
# makes it with debootstrap (minbase) from the Debian mirror the host's
# apt uses, and caches it twice: the tarball in build/docker/ and the
# image in buildah's store (MMLAB_BUILDAH_ROOT, /var/lib/containers/mmlab
# by default, outside the checkout so a fresh clone finds it).  The first
# run takes a few minutes; later ones reuse the base and the cached build
# layers.  Needs root; installs buildah, debootstrap, docker-compose and
# sqlite3 if missing.
# The last line is always "N passed, M failed, K skipped".

. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
CACHE=${MMLAB_DOCKER_CACHE:-$ROOT/build/docker}
STORE=${MMLAB_BUILDAH_ROOT:-/var/lib/containers/mmlab}
IMAGE=${MMLAB_IMAGE:-localhost/mmlab:test}
BASE=docker.io/library/debian:bookworm-slim
mm_setup docker
RUNROOT=${MMLAB_BUILDAH_RUNROOT:-/run/containers/$(basename "$STORE")}
BA="buildah --root $STORE --runroot $RUNROOT --storage-driver vfs"
CTRS=""
RUNPID=""
DPID=""
NETNS=""

# after lib.sh kills buildah run ($RUNPID): the daemon below it, the
# containers, the network namespace
mm_cleanup_extra() {
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
	for c in $CTRS; do $BA rm "$c" >/dev/null 2>&1; done
	[ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null
}

finish() {
	echo "docker: $(mm_elapsed) s"
	summary "" ", $skipped skipped"
	exit
}

if [ "$(id -u)" -ne 0 ]; then
	skip "buildah's chroot isolation needs root"
	finish
fi
need=""
for p in buildah debootstrap docker-compose sqlite3 curl jq; do
	dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q "ok installed" ||
		need="$need $p"
done
if [ -n "$need" ]; then
	echo "docker: installing$need"
	mm_install $need
fi

# --- the base image ----------------------------------------------------------
# The mirror the host's apt uses (the image's apt uses it too, so the
# build stage's apt-get reaches it over the host's network).
mirror=${MMLAB_DEBIAN_MIRROR:-$(cat /etc/apt/sources.list \
	/etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
	grep -v '^[[:space:]]*#' | grep -oE 'https?://[^ ]+/debian/?( |$)' |
	head -1 | tr -d ' ')}
mirror=${mirror%/}
mirror=${mirror:-http://deb.debian.org/debian}

# debootstrap --variant=minbase, made slim as debian:bookworm-slim is (no
# documentation, manuals or locales, no apt lists), with that image's apt
# sources; /dev is left empty for the runtime to fill.
make_base_tar() {
	r=$CACHE/rootfs
	rm -rf "$r" && mkdir -p "$CACHE" || return 1
	echo "docker: debootstrap bookworm from $mirror (once; about a minute)"
	debootstrap --variant=minbase bookworm "$r" "$mirror" \
		> "$CACHE/debootstrap.log" 2>&1 || {
		tail -20 "$CACHE/debootstrap.log"
		return 1
	}
	cat > "$r/etc/dpkg/dpkg.cfg.d/docker" <<-'EOF'
	path-exclude /usr/share/doc/*
	path-include /usr/share/doc/*/copyright
	path-exclude /usr/share/man/*
	path-exclude /usr/share/info/*
	path-exclude /usr/share/locale/*
	path-include /usr/share/locale/locale.alias
	EOF
	cat > "$r/etc/apt/apt.conf.d/docker-clean" <<-'EOF'
	DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
	Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
	EOF
	rm -f "$r/etc/apt/sources.list"
	cat > "$r/etc/apt/sources.list.d/debian.sources" <<-EOF
	Types: deb
	URIs: $mirror
	Suites: bookworm bookworm-updates
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

	Types: deb
	URIs: $mirror-security
	Suites: bookworm-security
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	find "$r/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
	find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
	rm -rf "$r/usr/share/man/"* "$r/usr/share/info/"* \
		"$r/var/lib/apt/lists/"* "$r/var/cache/apt/"* "$r/var/log/"*
	find "$r/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias \
		-exec rm -rf {} +
	rm -rf "${r:?}/dev/"* "$r/proc/"* "$r/sys/"* "$r/tmp/"* "$r/run/"*
	tar --numeric-owner -C "$r" -cf "$CACHE/rootfs.tar.tmp" . &&
		mv "$CACHE/rootfs.tar.tmp" "$CACHE/bookworm-minbase.tar" &&
		rm -rf "$r"
}

if ! $BA inspect --type image "$BASE" >/dev/null 2>&1; then
	if [ ! -s "$CACHE/bookworm-minbase.tar" ]; then
		t=$(date +%s)
		make_base_tar || { bad "debootstrap of the base image"; finish; }
		echo "docker: base made in $(($(date +%s) - t)) s"
	fi
	printf 'FROM scratch\nADD bookworm-minbase.tar /\nCMD ["bash"]\n' \
		> "$CACHE/Containerfile.base"
	$BA bud --isolation chroot --format docker -f "$CACHE/Containerfile.base" \
		-t "$BASE" "$CACHE" > "$TMP/base.log" 2>&1 ||
		{ tail -20 "$TMP/base.log"; bad "import of the base image"; finish; }
fi
check "the base image is in buildah's store" \
	$BA inspect --type image "$BASE" >/dev/null

# --- build ---------------------------------------------------------------------
# The build stage is tagged too, so its cached layers (apt-get of the -dev
# packages) outlive the prune below; the second bud reuses them.
bud() { $BA bud --isolation chroot --network host --pull-never --layers \
	--format docker -f Dockerfile "$@" . >> "$TMP/build.log" 2>&1; }
t=$(date +%s)
if bud --target build -t "$IMAGE-build" && bud -t "$IMAGE"; then
	ok
	echo "docker: image built in $(($(date +%s) - t)) s"
else
	tail -40 "$TMP/build.log"
	bad "buildah bud of the Dockerfile"
	finish
fi
# A rebuild leaves the previous build's layers behind, untagged: drop
# them (each round frees the parents of the last).
i=0
while [ $i -lt 20 ] && [ -n "$($BA rmi --prune 2>/dev/null)" ]; do
	i=$((i + 1))
done

# --- the image's configuration -------------------------------------------------
$BA inspect --type image "$IMAGE" | jq .Docker.config > "$TMP/config.json"
cfg() { jq -r "$1" "$TMP/config.json"; }
user=$(cfg .User)
check "the image runs as a named non-root user ('$user')" \
	sh -c '[ -n "$1" ] && [ "$1" != root ] && [ "$1" != 0 ]' _ "$user"
same "$(cfg '.Volumes | keys | join(",")')" /var/lib/mmlab "the volume"
same "$(cfg '.ExposedPorts | keys | join(",")')" 8080/tcp "the exposed port"
same "$(cfg '.Env[] | select(startswith("MMLAB_LISTEN="))')" \
	MMLAB_LISTEN=0.0.0.0:8080 "where the daemon listens"
same "$(cfg '.Healthcheck.Test | join(" ")')" \
	"CMD /usr/libexec/mmlab/healthcheck" "the HEALTHCHECK"
same "$(cfg .StopSignal)" SIGTERM "the stop signal"
entry=$(cfg '.Entrypoint | join(" ")')
same "$entry" /usr/bin/mmlabd "the entrypoint"
size=$($BA images --format '{{.Size}}' "$IMAGE" | head -1)
echo "docker: image $IMAGE is $size"

ctr=$($BA from --pull-never "$IMAGE" 2>"$TMP/from.log") ||
	{ cat "$TMP/from.log"; bad "buildah from the image"; finish; }
CTRS="$CTRS $ctr"
# run [buildah run options] -- COMMAND...: in the container, as its user
run() { $BA run --isolation chroot --network host "$@"; }
check "no compiler in the runtime image" \
	run "$ctr" -- sh -c '! command -v cc && ! command -v gcc && ! command -v make'
uid=$(run "$ctr" -- id -u)
check "the image's user is not root (uid $uid)" test "${uid:-0}" -ne 0
check "the daemon in the image answers --help" \
	sh -c "$BA run --isolation chroot $ctr -- mmlabd --help | grep -q MMLAB_INSTRUCTOR_TOKEN"

# --- run it --------------------------------------------------------------------
# The volume: a host directory owned by the image's user, as Docker makes
# a named volume from the image's /var/lib/mmlab.
VOL=$TMP/volume
mkdir -p "$VOL" && chown "$uid" "$VOL" && chmod 0750 "$VOL"
ITOKEN=instructor-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
DPID=
NS=
# start NAME [buildah run options]: a new container of the image on the
# volume, under $NS (a network namespace) if set
start() {
	n=$1
	shift
	c=$($BA from --pull-never "$IMAGE") || return 1
	CTRS="$CTRS $c"
	: > "$TMP/$n.log"
	$NS $BA run --isolation chroot --network host \
		-v "$VOL:/var/lib/mmlab" "$@" "$c" -- $entry > "$TMP/$n.log" 2>&1 &
	RUNPID=$!
	mm_track "$RUNPID"
	if ! mm_wait_listening "$TMP/$n.log" "$RUNPID" 30; then
		cat "$TMP/$n.log"
		return 1
	fi
	URL=$B
	# the daemon is the container's process, below buildah run
	DPID=$(daemon_pid "$RUNPID")
	[ -n "$DPID" ]
}
daemon_pid() {
	for p in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		if [ "$(cat /proc/"$p"/comm 2>/dev/null)" = mmlabd ]; then
			echo "$p"
			return
		fi
		daemon_pid "$p"
	done
}
# stop: SIGTERM to the daemon, as docker stop sends it (buildah run does
# not pass signals on); the container's exit status
stop() {
	kill -TERM "$DPID"
	i=0
	while kill -0 "$DPID" 2>/dev/null && [ $i -lt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	mm_reap "$RUNPID"
	rc=$?
	RUNPID=
	DPID=
	return $rc
}
# auth TOKEN CURL-ARGS...
auth() {
	t=$1
	shift
	$NS curl -s --max-time 10 -H "Authorization: Bearer $t" "$@"
}

# --- deploy/'s compose files -------------------------------------------------
# docker-compose (Debian's, v1) checks them without an engine; the first
# run below takes compose.yaml's environment, so the daemon must accept it.
for f in deploy/compose.yaml deploy/compose.scaleout.yaml; do
	check "$f is a valid compose file" \
		env MMLAB_INSTRUCTOR_TOKEN="$ITOKEN" docker-compose -f "$f" config -q
done
check "compose.yaml wants an instructor token" \
	sh -c '! env -u MMLAB_INSTRUCTOR_TOKEN docker-compose -f deploy/compose.yaml config -q 2>/dev/null'
env MMLAB_INSTRUCTOR_TOKEN="$ITOKEN" docker-compose -f deploy/compose.yaml config |
	/usr/bin/python3 -c 'import sys, yaml
env = yaml.safe_load(sys.stdin)["services"]["mmlab"]["environment"]
print("\n".join(k + "=" + str(v) for k, v in env.items()))' > "$TMP/compose.env"
check "compose.yaml sets the instructor token and the limits" \
	grep -q "^MMLAB_INSTRUCTOR_TOKEN=$ITOKEN$" "$TMP/compose.env"
set --
while IFS= read -r kv; do
	set -- "$@" -e "$kv"
done < "$TMP/compose.env"

# The first two runs share the host's network, so they listen on a free
# loopback port (MMLAB_LISTEN=127.0.0.1:0) rather than the host's 8080.
if ! start first "$@" -e MMLAB_LISTEN=127.0.0.1:0; then
	bad "the image starts"
	finish
fi
ok
check "the daemon runs as uid $uid" \
	test "$(stat -c %u /proc/"$DPID" 2>/dev/null)" = "$uid"
check "the store is the volume's" grep -q "/var/lib/mmlab)" "$TMP/first.log"
check "the store is in the volume, owned by uid $uid" \
	test "$(stat -c %u "$VOL/mmlab.db" 2>/dev/null)" = "$uid"
same "$(curl -s --max-time 5 "$URL/healthz" | jq -r .status)" ok "/healthz"
check "the image's HEALTHCHECK passes in the container" \
	run -e MMLAB_LISTEN="$ADDR" "$ctr" -- /usr/libexec/mmlab/healthcheck
check "the HEALTHCHECK fails where nothing listens" \
	sh -c "! $BA run --isolation chroot --network host -e MMLAB_LISTEN=127.0.0.1:1 $ctr -- /usr/libexec/mmlab/healthcheck 2>/dev/null"
same "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$URL/")" \
	"200 text/html; charset=utf-8" "the web page from /usr/share/mmlab/web"

# README.md's curl walkthrough, against the container
if MMLAB_URL=$URL MMLAB_INSTRUCTOR_TOKEN=$ITOKEN sh tests/readme.sh > "$TMP/readme.out" 2>&1; then
	ok
else
	cat "$TMP/readme.out"
	bad "README walkthrough against the container"
fi

# a machine of ours, to find again after the restarts
curl -s -X POST "$URL/v1/machines" -d '{"ram":"1G","name":"survivor"}' > "$TMP/m.json"
ID=$(jq -r .id "$TMP/m.json")
TOKEN=$(jq -r .token "$TMP/m.json")
auth "$TOKEN" "$URL/v1/machines/$ID/kmalloc" -d '{"size":4096}' > /dev/null
auth "$TOKEN" "$URL/v1/machines/$ID/processes" -X POST > /dev/null
# reports PHASE: the machine's reports, to compare between runs
reports() {
	for r in meminfo slabinfo buddyinfo; do
		auth "$TOKEN" -H 'Accept: text/plain' "$URL/v1/machines/$ID/proc/$r"
	done > "$TMP/reports.$1"
	auth "$TOKEN" "$URL/v1/machines/$ID/processes/1/maps" >> "$TMP/reports.$1"
}
reports before
check "a machine to restart with" grep -q MemTotal "$TMP/reports.before"
n_before=$(auth "$ITOKEN" "$URL/v1/machines" | jq '.machines | length')
check "the instructor token (from the environment) lists the machines ($n_before)" \
	test "${n_before:-0}" -ge 2

# --- SIGTERM and a restart on the same volume ---------------------------------
t=$(date +%s)
stop
same "$?" 0 "exit status after SIGTERM"
check "the daemon said it stopped" grep -q 'mmlabd: stopped' "$TMP/first.log"
echo "docker: stopped in $(($(date +%s) - t)) s"
if ! start second "$@" -e MMLAB_LISTEN=127.0.0.1:0; then
	bad "the image starts again on the same volume"
	finish
fi
ok
reports after
check "the machine survived: its reports are the same" \
	cmp -s "$TMP/reports.before" "$TMP/reports.after"
same "$(auth "$TOKEN" "$URL/v1/machines/$ID" | jq -r .name)" survivor "the machine's name"
n_after=$(auth "$ITOKEN" "$URL/v1/machines" | jq '.machines | length')
same "$n_after" "$n_before" "machines after the restart"
# the README's online backup of the volume, while the daemon serves
check "an online backup of the volume's store" \
	sqlite3 "$VOL/mmlab.db" ".backup $TMP/backup.db"
stop
same "$?" 0 "exit status after the second SIGTERM"

# --- the image's own defaults, on the backup -------------------------------------
# In a network namespace of its own, the container takes 0.0.0.0:8080
# with nothing set, and its HEALTHCHECK runs as Docker runs it; its volume
# is a new one holding only the backup.
NETNS=mmlab-docker-$$
VOL=$TMP/restored
mkdir -p "$VOL" && cp "$TMP/backup.db" "$VOL/mmlab.db" &&
	chown -R "$uid" "$VOL" && chmod 0750 "$VOL"
if ip netns add "$NETNS" 2>/dev/null; then
	NS="ip netns exec $NETNS"
	$NS ip link set lo up
	if start third; then
		ok
		same "$ADDR" 0.0.0.0:8080 "the address the image listens on"
		URL=http://127.0.0.1:8080
		check "the HEALTHCHECK, as Docker runs it" \
			$NS $BA run --isolation chroot --network host "$ctr" -- \
			/usr/libexec/mmlab/healthcheck
		reports third
		check "the machine is back from the backup" \
			cmp -s "$TMP/reports.before" "$TMP/reports.third"
		stop
		same "$?" 0 "exit status after the third SIGTERM"
	else
		bad "the image starts with its defaults"
	fi
	NS=
	ip netns del "$NETNS"
	NETNS=
else
	skip "no network namespace (ip netns add): the image's defaults"
fi
finish
