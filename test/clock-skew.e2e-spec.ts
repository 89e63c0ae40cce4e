import { databaseUrl, testDatabaseName, withAdminClient } from './support/databases';
import { dropDatabases, psql } from './support/postgres-fixtures';
import { RunningProcess, startEntry, waitFor } from './support/processes';
import { TestApp, processEnvFor, registerInstance, startTestApp } from './support/test-app';
import { restoreAndWait, waitForBackup } from './support/test-worker';

const SKEW_MS = 10 * 60_000;
/** Debian's libfaketime (package faketime), multithreaded flavour: node runs threads */
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';

/**
 * A worker whose clock runs ten minutes fast (libfaketime, installed by .ci/run) records the database's time, not
 * its own: started_at, finished_at and the restore's times stay within a second of the
 * database's clock.
 */
describe('a worker with a skewed clock', () => {
  let t: TestApp;
  let worker: RunningProcess;
  let db: string;

  beforeAll(async () => {
    t = await startTestApp();
    db = testDatabaseName('skew');
    await withAdminClient((c) => c.query(`CREATE DATABASE ${db}`));
    psql(db, `CREATE TABLE t (x int); INSERT INTO t SELECT generate_series(1, 10)`);
    // libfaketime preloaded into node itself (the faketime command would stand between)
    worker = startEntry(
      'worker.ts',
      processEnvFor(t, { LOG_LEVEL: 'info', LD_PRELOAD: LIBFAKETIME, FAKETIME: '+10m' }),
      process.cwd(),
    );
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
    await dropDatabases([db]);
  });

  const databaseNow = async () =>
    (await t.prisma.$queryRaw<Array<{ now: Date }>>`SELECT now() AS now`)[0].now.getTime();

  it('records started_at and finished_at of backups and restores by the database clock', async () => {
    const inst = await registerInstance(t, { connection_url: databaseUrl(db) });
    const auth = { Authorization: `Bearer ${inst.token}` };
    const before = await databaseNow();
    await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth).expect(202);
    const backup = await waitForBackup(t, inst.id, inst.token, 1);
    expect(backup.status).toBe('done');

    // the worker's own clock is ten minutes ahead: its log lines say so (the line is written
    // just after the backup is recorded as done, so it may still be on its way)
    const line = await waitFor(
      () =>
        Promise.resolve(
          worker
            .output()
            .split('\n')
            .find((l) => l.includes('"backup done"')),
        ),
      60_000,
      'the worker to log "backup done"',
    );
    const workerTime = (JSON.parse(line) as { time: number | string }).time;
    expect(new Date(workerTime).getTime() - before).toBeGreaterThan(SKEW_MS - 60_000);

    const restore = await restoreAndWait(t, inst, 1);
    expect(restore.status).toBe('done');
    const after = await databaseNow();

    const rows = await t.prisma.$queryRaw<
      Array<{ started_at: Date; finished_at: Date; heartbeat_at: Date }>
    >`SELECT started_at, finished_at, heartbeat_at FROM backups WHERE instance_id = ${inst.id}
      UNION ALL
      SELECT started_at, finished_at, heartbeat_at FROM restores WHERE instance_id = ${inst.id}`;
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      for (const time of [row.started_at, row.finished_at, row.heartbeat_at]) {
        expect(time.getTime()).toBeGreaterThanOrEqual(before - 1000);
        expect(time.getTime()).toBeLessThanOrEqual(after + 1000);
      }
    }
    for (const time of [
      backup.started_at,
      backup.finished_at,
      restore.started_at,
      restore.finished_at,
    ]) {
      expect(new Date(time as string).getTime()).toBeLessThanOrEqual(after + 1000);
    }
    const [presence] = await t.prisma.$queryRaw<Array<{ started_at: Date; last_job_at: Date }>>`
      SELECT started_at, last_job_at FROM workers`;
    expect(presence.last_job_at.getTime()).toBeLessThanOrEqual(after + 1000);
    expect(presence.started_at.getTime()).toBeLessThanOrEqual(after + 1000);
  });
});
