# syntax=docker/dockerfile:1
# demo-vm: the Slack app, run by Node 24 directly from its TypeScript sources (type stripping: no build).
# Build:  docker build -t demo-vm .
# Try:    docker run --rm -p 3000:3000 -e NODE_ENV=development -e BIND_ADDRESS=0.0.0.0 demo-vm  (local mode: fake Slack, GCE simulator)
# Deploy: docs/DEPLOY.md (GKE)

# Pin by digest in production (node:24-slim@sha256:…) so a rebuild cannot change the base silently.
ARG NODE_IMAGE=node:24-slim

# ---- build: production dependencies only, as the lockfile says, with its approved install scripts.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NODE_ENV=production \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
COPY package.json package-lock.json ./
# The npm cache stays in a BuildKit cache mount, out of the image.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev
COPY src ./src
# Local mode's fakes (fake Slack, GCE simulator, local workspace): `docker run` without credentials.
COPY sim ./sim
COPY migrations ./migrations
COPY assets ./assets
# Fail the build, not the pod, when the dependency tree is incomplete or a production module
# imports a dev-only package: check the tree, then load the whole module graph (nothing starts).
RUN npm ls --omit=dev --all >/dev/null
RUN node --input-type=module -e "await import('./src/app.ts'); await import('./src/config.ts');"

# ---- runtime: the same base, no npm cache, no dev dependencies, not root.
FROM ${NODE_IMAGE} AS runtime
# Memory tuning for the pod's memory request and limit (manifests/k8s: 256Mi / 512Mi), each measured in
# bench/ack.bench.ts (bench/RESULTS.md, docs/DEPLOY.md): glibc malloc keeps two arenas instead of up
# to eight per core, and maps blocks of 128 KB and more so they go back to the OS when freed (glibc
# otherwise raises that threshold and keeps ~25 MB after a burst). The V8 flags are on CMD below.
ENV MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data \
    npm_config_update_notifier=false \
    npm_config_cache=/tmp/.npm \
    npm_config_logs_dir=/tmp/.npm/_logs
WORKDIR /app
# Code and dependencies stay owned by root and read-only for the app user.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/src ./src
COPY --from=build /app/sim ./sim
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/assets ./assets
# Only the embedded database (no DATABASE_URL: a single local process) writes here.
RUN mkdir -p /data && chown node:node /data
# The base image's unprivileged user (uid 1000).
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1's command (no npm or shell in between), so SIGTERM from the kubelet reaches
# the app and it stops gracefully. V8 flags for the same memory limits: a young generation of 16 MB
# (8 MB semi-spaces) instead of up to 64 MB kept resident once grown, and an old generation collected
# once it grows 30% past what the last full collection kept, rather than doubling.
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=30", "src/main.ts"]
