import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from '../../generated/prisma/client';
import { AppConfig } from '../config/app-config';
import { pgPoolConfig } from '../connections/postgres-connection';

/** The one database client of a process. Only repositories use it. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {
  /**
   * The connection pool under the client, for the few hottest reads that skip the client
   * entirely (the token check of every public request, BackupsJson, the backups config);
   * they share its size and its timeout.
   */
  readonly pool: Pool;

  constructor(config: AppConfig) {
    const pool = new Pool({
      ...pgPoolConfig(config.databaseUrl),
      max: config.databasePoolSize,
      // a request that waits longer for a connection is answered 503 with Retry-After
      connectionTimeoutMillis: config.databasePoolTimeoutMs,
      // The pool is never ended: a worker drains its running jobs after the modules were
      // destroyed (BullMQ closes on application shutdown), and they still record their
      // results. Idle connections close by themselves and never keep the process alive.
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
    });
    super({
      adapter: new PrismaPg(pool),
      // interactive transactions wait as long for their connection, then fail the same way
      transactionOptions: { maxWait: config.databasePoolTimeoutMs },
    });
    this.pool = pool;
    // an idle connection the server dropped must not crash the process
    pool.on('error', () => undefined);
  }

  async onModuleInit(): Promise<void> {
    await this.$connect();
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}

/** A transaction client, passed to repositories so several writes commit together. */
export type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];
