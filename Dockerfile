# Build: libgit2, libssh2, SQLite and zlib are compiled in; OpenSSL (https
# remotes and build hooks) is the system's.
FROM rust:1.95-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends pkg-config libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY templates templates
COPY static static
COPY migrations migrations
COPY locales locales
RUN cargo build --release --locked

# Run: a slim image, an unprivileged user, data on a volume. Debian's
# Jekyll (and Ruby) for "Preview on the site"; a site with a Gemfile needs
# its gems too (--jekyll-command "bundle exec jekyll"). git pushes to a
# remote that is a local path, so that remote's hooks run.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl git libssl3 jekyll \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin cairn \
 && mkdir -p /data && chown cairn:cairn /data
COPY --from=build /src/target/release/cairn /usr/local/bin/cairn
USER cairn
VOLUME ["/data"]
# glibc keeps memory freed by each worker thread in that thread's own
# arena: after ten 20 MiB uploads at once, +294 MiB stays resident with
# the default, +122 MiB with two arenas (BENCHMARKS.md, `media`).
ENV MALLOC_ARENA_MAX=2
ENV CAIRN_DATA=/data
# Meant to be served over HTTPS (a TLS-terminating proxy in front): the
# session cookie is Secure and __Host- prefixed. Set to false only for a
# plain-HTTP trial.
ENV CAIRN_SECURE_COOKIES=true
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:3000/healthz || exit 1
ENTRYPOINT ["cairn"]
CMD ["serve", "--listen", "0.0.0.0:3000", "--data", "/data"]
