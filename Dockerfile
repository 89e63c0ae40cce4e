# One image for the three processes: migrate, api and worker (see docker-compose.yml).
# Node 24: the current LTS (20 left support on 2026-04-30; the AWS SDK drops it in 2027)
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run db:generate && npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
# pg_dump of every PostgreSQL major the platform runs (13–17), from the PostgreSQL project's
# own repository: a pg_dump older than the server refuses to dump it, and the worker picks the
# one matching each server (src/engines/pg-tools.ts). The servers of those majors too: a base
# backup is restored through a private server of its own major (src/engines/private-postgres.ts;
# no cluster is created at install, none runs as a service). redis-server: restores of Redis load
# the snapshot into a private server (never started as a service).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
      https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
      > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-common \
 && sed -ri 's/#?(create_main_cluster) .*$/\1 = false/' /etc/postgresql-common/createcluster.conf \
 && apt-get install -y --no-install-recommends \
      postgresql-13 postgresql-14 postgresql-15 postgresql-16 postgresql-17 \
      postgresql-client-13 postgresql-client-14 postgresql-client-15 postgresql-client-16 postgresql-client-17 \
      mariadb-client mariadb-server-core redis-tools redis-server openssl gzip \
 && apt-get purge -y --auto-remove curl gnupg \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    STORAGE_PATH=/var/lib/backup-manager/backups
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY src/core/config/defaults.ts ./src/core/config/defaults.ts
COPY src/core/prisma/migration-adapter.ts ./src/core/prisma/migration-adapter.ts
COPY src/core/connections/postgres-connection.ts ./src/core/connections/postgres-connection.ts
# the storage directory exists and belongs to the user the processes run as, so a volume
# mounted there starts out writable (a new named volume copies this ownership)
RUN install -d -o node -g node /var/lib/backup-manager/backups /app/data
USER node
EXPOSE 3000 9464
CMD ["node", "dist/main.js"]
