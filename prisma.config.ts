import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { DEFAULT_DATABASE_URL } from './src/core/config/defaults';

// Prisma's native engines cannot be downloaded everywhere we run, so the CLI migrates
// through the pg driver adapter and the WASM schema engine instead.
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  adapter: () =>
    Promise.resolve(
      new PrismaPg({ connectionString: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL }),
    ),
});
