import { defineConfig } from 'prisma/config';
import { DEFAULT_DATABASE_URL } from './src/core/config/defaults';
import { pgPoolConfig } from './src/core/connections/postgres-connection';
import { MigrationAdapter } from './src/core/prisma/migration-adapter';

// Prisma's native engines cannot be downloaded everywhere we run, so the CLI migrates
// through the pg driver adapter and the WASM schema engine instead; MigrationAdapter sends each
// migration to PostgreSQL whole, so function bodies need no escaping. Idle connections do not
// keep the CLI running (with scripts/prisma-engine-timers.js, `migrate deploy` ends 10 s sooner).
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  adapter: () =>
    Promise.resolve(
      new MigrationAdapter({
        ...pgPoolConfig(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL),
        allowExitOnIdle: true,
      }),
    ),
});
