import { testDatabaseName, withAdminClient } from './support/databases';
import { dropDatabases, psql } from './support/postgres-fixtures';
import { databaseUrl } from './support/databases';
import { TestApp, registerInstance, startTestApp } from './support/test-app';
import { TestWorker, startTestWorker, waitForBackup, waitForRestore } from './support/test-worker';
import { RetentionService } from '../src/retention/retention.service';

const ROUNDS = 50;
/** a random wait of up to `ms`, so that each side wins some rounds */
const jitter = (ms: number) => new Promise((r) => setTimeout(r, Math.floor(Math.random() * ms)));

/**
 * A restore answered 202 keeps its backup until it ended: retention passes and deletes on
 * request that race with it either lose (the backup stays) or win before it was accepted (the
 * restore is refused with 422). Never a 202 followed by "the backup was deleted".
 */
describe('restores racing retention and deletes', () => {
  let t: TestApp;
  let worker: TestWorker;
  let inst: { id: string; token: string };
  let db: string;
  let backups = 0;
  const auth = () => ({ Authorization: `Bearer ${inst.token}` });
  const basic = () => ({
    Authorization: `Basic ${Buffer.from(
      `${t.config.backupManagerUsername}:${t.config.backupManagerPassword}`,
    ).toString('base64')}`,
  });

  beforeAll(async () => {
    t = await startTestApp();
    worker = await startTestWorker(t);
    db = testDatabaseName('race');
    await withAdminClient((c) => c.query(`CREATE DATABASE ${db}`));
    psql(db, `CREATE TABLE t (x int); INSERT INTO t SELECT generate_series(1, 10)`);
    inst = await registerInstance(t, { connection_url: databaseUrl(db) });
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await dropDatabases([db]);
  });

  const rules = (retention_time: number, min_backup_count: number) =>
    t.http
      .patch(`/v1/instances/${inst.id}/backups-config`)
      .set(auth())
      .send({ retention_time, min_backup_count })
      .expect(200);

  async function backUp(): Promise<number> {
    await t.http.post(`/v1/instances/${inst.id}/backups`).set(auth()).expect(202);
    backups += 1;
    expect(await waitForBackup(t, inst.id, inst.token, backups)).toMatchObject({ status: 'done' });
    return backups;
  }

  const restoreEnded = (id: number) => waitForRestore(t, inst, id);

  const postRestore = async (backupId: number) => {
    await jitter(6);
    return t.http
      .post(`/v1/instances/${inst.id}/restores`)
      .set(auth())
      .send({ backup_id: backupId });
  };

  it(`${ROUNDS} rounds: a restore of backup N-1 posted while the pass after backup N prunes it`, async () => {
    const retention = worker.worker.get(RetentionService);
    const outcomes = { restored: 0, refused: 0 };
    await rules(10, 1000); // keep everything while the next backup is taken
    await backUp();
    for (let round = 0; round < ROUNDS; round++) {
      const previous = backups;
      await backUp();
      await rules(0, 1); // now only the newest backup may stay
      const [res] = await Promise.all([
        postRestore(previous),
        // the pass is quicker than an HTTP request: it starts a little later on average
        jitter(40).then(() => retention.prune(inst.id)),
      ]);
      if (res.status === 202) {
        outcomes.restored += 1;
        const ended = await restoreEnded((res.body as { id: number }).id);
        expect({ round, ...ended }).toMatchObject({ round, status: 'done' });
      } else {
        outcomes.refused += 1;
        expect({ round, status: res.status, body: res.body }).toEqual({
          round,
          status: 422,
          body: {
            error: 'BackupNonRestorableState',
            description: expect.stringMatching(/deleted/),
          },
        });
      }
      await rules(10, 1000);
    }
    // the pass that lost to a restore prunes the backup once the restore ended
    await rules(0, 1);
    await retention.prune(inst.id);
    expect(await t.prisma.backup.count({ where: { instanceId: inst.id, status: 'done' } })).toBe(1);
    expect(outcomes.restored + outcomes.refused).toBe(ROUNDS);
    console.log(`retention race: ${JSON.stringify(outcomes)}`);
  });

  it(`${ROUNDS} rounds: a restore and a Backup Manager DELETE of the same backup at once`, async () => {
    await rules(10, 1000);
    const outcomes = { restored: 0, deleted: 0 };
    let target = await backUp();
    for (let round = 0; round < ROUNDS; round++) {
      const [restore, del] = await Promise.all([
        postRestore(target),
        jitter(6).then(() =>
          t.http.delete(`/backup-manager/instances/${inst.id}/backups/${target}`).set(basic()),
        ),
      ]);
      if (restore.status === 202) {
        outcomes.restored += 1;
        expect({ round, status: del.status, error: del.body.error }).toEqual({
          round,
          status: 423,
          error: 'Locked',
        });
        const ended = await restoreEnded((restore.body as { id: number }).id);
        expect({ round, ...ended }).toMatchObject({ round, status: 'done' });
      } else {
        outcomes.deleted += 1;
        expect({ round, del: del.status, restore: restore.status, body: restore.body }).toEqual({
          round,
          del: 200,
          restore: 422,
          body: {
            error: 'BackupNonRestorableState',
            description: expect.stringMatching(/deleted/),
          },
        });
        target = await backUp();
      }
    }
    expect(outcomes.restored + outcomes.deleted).toBe(ROUNDS);
    console.log(`delete race: ${JSON.stringify(outcomes)}`);
  });
});
