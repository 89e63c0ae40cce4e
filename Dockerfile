# One image for the three processes: migrate, api and worker (see docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run db:generate && npm run build && npm prune --omit=dev

# redis-server: restores of Redis load the snapshot into a private server (never started as a service)
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client mariadb-client redis-tools redis-server openssl gzip ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY src/core/config/defaults.ts ./src/core/config/defaults.ts
USER node
CMD ["node", "dist/main.js"]
