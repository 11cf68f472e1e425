# mmlabd in a container: the daemon that hosts simulated 32-bit x86 Linux
# machines for a class.
#
#   docker build -t mmlab .                       (make docker)
#   docker run -d --name mmlab -p 8080:8080 -v mmlab-data:/var/lib/mmlab \
#              -e MMLAB_INSTRUCTOR_TOKEN=$(openssl rand -hex 16) mmlab
#
# Every flag of mmlabd has an MMLAB_* variable (docker run --rm mmlab --help);
# deploy/compose.yaml is a class server.  make test-docker builds and runs
# this file for real with buildah (tests/docker.sh).

# --- build: the -dev packages and make ---------------------------------------
FROM debian:bookworm-slim AS build
ARG BUILD_PKGS="gcc libc6-dev make pkg-config libjansson-dev libuv1-dev libmicrohttpd-dev libsqlite3-dev libsodium-dev"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $BUILD_PKGS \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# DEB_PKGS: what the Makefile checks for before building; it would install
# the test tools too (cmocka, curl, jq), which the image does not need.
RUN make -j"$(nproc)" DEB_PKGS="$BUILD_PKGS" \
         DATA_DIR=/var/lib/mmlab WEB_DIR=/usr/share/mmlab/web \
         build/mmlabd build/mmlab

# --- runtime: the five shared libraries and nothing to build with -------------
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libjansson4 libuv1 libmicrohttpd12 libsqlite3-0 libsodium23 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 mmlab \
 && useradd --system --uid 10001 --gid mmlab --home-dir /var/lib/mmlab \
        --no-create-home --shell /usr/sbin/nologin mmlab \
 && install -d -o mmlab -g mmlab -m 0750 /var/lib/mmlab
COPY --from=build /src/build/mmlabd /src/build/mmlab /usr/bin/
COPY web/ /usr/share/mmlab/web/
COPY deploy/healthcheck /usr/libexec/mmlab/healthcheck

# The store (mmlab.db) lives in the volume; a bind mount must be writable
# by uid 10001.
VOLUME /var/lib/mmlab
USER mmlab
ENV MMLAB_LISTEN=0.0.0.0:8080
EXPOSE 8080
# bash's /dev/tcp: the slim image has no curl or wget
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/libexec/mmlab/healthcheck"]
# SIGTERM: stop accepting, finish the requests under way (at most 10 s), exit 0.
# Give docker stop more than that (compose.yaml: stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/mmlabd"]
