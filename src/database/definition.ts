/**
 * A function, trigger or view of the service's own database, as this folder defines it: the
 * source of truth that migrations are generated from (`npm run db:migration`).
 */
interface Definition {
  /**
   * The name PostgreSQL knows it by, as the catalog spells it (catalog.ts): a function's
   * signature (`api_time(timestamp with time zone)`, what `oid::regprocedure` prints), a
   * trigger's `<name> on <table>`, a view's name.
   */
  name: string;
  /** The statement that makes it what it is now, with the comments a reader of it needs. */
  sql: string;
  /**
   * What a migration runs after (re)defining it: the rows it renders, rendered anew. Left out
   * with `npm run db:migration -- <name> --same-output` (the change renders every row as before).
   */
  then?: string;
}

export interface DatabaseFunction extends Definition {
  kind: 'function';
}

export interface DatabaseTrigger extends Definition {
  kind: 'trigger';
}

export interface DatabaseView extends Definition {
  kind: 'view';
}

export type DatabaseDefinition = DatabaseFunction | DatabaseTrigger | DatabaseView;
