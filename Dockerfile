# imscore container image: the four daemons (hss icscf scscf pcscf) plus imsctl and imsua
# in one image; the command picks which one runs (config/container/entrypoint.sh):
#   podman run IMAGE hss            # -c /etc/imscore/hss.conf --state-dir /var/lib/imscore/hss
#   podman run IMAGE imsctl subscriber --db /var/lib/imscore/hss/hss.sqlite list
# BASE is a build argument so that CI can build from a locally made Debian 12 image
# (tests/container/run.sh: --build-arg BASE=localhost/debian:bookworm-slim).
ARG BASE=debian:bookworm-slim

# ---------------------------------------------------------------- build
FROM ${BASE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential cmake pkg-config \
        libosip2-dev libfreediameter-dev freediameter-extensions \
        libssl-dev libxml2-dev libconfig-dev libevent-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
# Only the daemons and tools that exist in the tree are built (CMake skips the others).
# BEST_EFFORT=1 (development trees): a program that does not compile is left out of the
# image with a warning instead of failing the build.
ARG BEST_EFFORT=0
RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIMSCORE_TESTS=OFF \
 && if [ "$BEST_EFFORT" = 1 ]; then \
        for t in hss imsctl icscf scscf pcscf imsua; do \
            cmake --build /build -j"$(nproc)" --target "$t" >"/tmp/build-$t.log" 2>&1 \
                || { echo "WARNING: $t left out of the image:"; tail -5 "/tmp/build-$t.log"; }; \
        done; \
    else \
        cmake --build /build -j"$(nproc)"; \
    fi \
 && DESTDIR=/stage cmake --install /build --prefix /usr/local --strip

# ---------------------------------------------------------------- runtime
FROM ${BASE}
# Runtime libraries only (Debian 12 package names): libosip2 (SIP), freeDiameter core,
# proto and extensions (dictionaries, acl_wl), libxml2, libconfig, libevent, SQLite, OpenSSL.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libosip2-15 libfdcore6 libfdproto6 freediameter-extensions \
        libxml2 libconfig9 libevent-core-2.1-7 libevent-extra-2.1-7 libevent-pthreads-2.1-7 \
        libsqlite3-0 libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/imscore --no-create-home --shell /usr/sbin/nologin imscore
COPY --from=build /stage/usr/local/bin/ /usr/local/bin/
COPY --from=build /stage/usr/local/etc/imscore/ /etc/imscore/
COPY config/container/entrypoint.sh /usr/local/bin/imscore-entrypoint
# One state directory per program, owner only: a named volume mounted on one of them
# starts with this owner and mode.
RUN for nf in hss icscf scscf pcscf imsua; do install -d -m 0700 -o imscore -g imscore /var/lib/imscore/$nf; done \
 && chmod 0755 /usr/local/bin/imscore-entrypoint \
 && /usr/local/bin/imscore-entrypoint --list
USER imscore
WORKDIR /var/lib/imscore
# SIP (P-CSCF 5060, I-CSCF 4060, S-CSCF 6060; UDP and TCP) and Diameter (3868-3870).
EXPOSE 5060/udp 5060/tcp 4060/udp 4060/tcp 6060/udp 6060/tcp 3868/tcp 3869/tcp 3870/tcp
ENTRYPOINT ["/usr/local/bin/imscore-entrypoint"]
CMD ["help"]
