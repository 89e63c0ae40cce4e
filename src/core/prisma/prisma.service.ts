import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client';
import { AppConfig } from '../config/app-config';

/** The one database client of a process. Only repositories use it. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {
  constructor(config: AppConfig) {
    super({
      adapter: new PrismaPg({
        connectionString: config.databaseUrl,
        max: config.databasePoolSize,
        // a request that waits longer for a connection is answered 503 with Retry-After
        connectionTimeoutMillis: config.databasePoolTimeoutMs,
      }),
      // interactive transactions wait as long for their connection, then fail the same way
      transactionOptions: { maxWait: config.databasePoolTimeoutMs },
    });
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
