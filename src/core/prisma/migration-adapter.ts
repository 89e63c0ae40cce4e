import { PrismaPg } from '@prisma/adapter-pg';

/**
 * The pg driver adapter for the Prisma CLI, which applies migrations through it. The adapter's
 * own `executeScript` splits a script at every `;`, even inside a dollar-quoted function body;
 * this one sends the whole script as one simple-query message and lets PostgreSQL parse it (it
 * then runs as one implicit transaction: a migration applies whole or not at all). Migrations
 * are written as PostgreSQL is written: `AS $$ … ; … $$`.
 */
export class MigrationAdapter extends PrismaPg {
  override async connect(): ReturnType<PrismaPg['connect']> {
    const adapter = await super.connect();
    adapter.executeScript = async (script: string) => {
      try {
        await adapter.underlyingDriver().query(script);
      } catch (err) {
        // the adapter's own mapping of a driver error into the CLI's error report
        (adapter as unknown as { onError(e: unknown): never }).onError(err);
      }
    };
    return adapter;
  }
}
