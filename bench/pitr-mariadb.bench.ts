import { ChildProcess, execFile, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApp } from '../src/app.factory';
import { AppConfig } from '../src/core/config/app-config';
import { binlogPosition } from '../src/engines/mariadb/binlog';
import { lsnValue } from '../src/wal/lsn';
import { startMariadbServer } from '../test/support/mariadb-server';
import {
  fmt,
  peakRssMiB,
  registerWithKey,
  serviceEnvironment,
  sql,
  startCompiled,
  watchPrivateServers,
} from './support';

const KEY = 'bench-pitr-mariadb-key';
const STATE_DB = 'bm_bench_pitr_mariadb_state';

/**
 * The MariaDB part of `npm run bench -- pitr`: a private mariadbd with its binlog on (ROW),
 * archived continuously. (1) RPO: one commit every 2 s (BENCH_PITR_COMMITS, 60); how long from
 * the commit until the binlog piece holding it is recorded, and how far the window's end trails
 * now. (2) A restore to a moment of a database of BENCH_PITR_MARIADB_MB (200) MB with a third of
 * its rows updated after the base backup, beside the same by hand (the dump decrypted into
 * `mariadb`, the binlog pieces decrypted into their files and `mariadb-binlog --start-position
 * --stop-datetime | mariadb`), and the worker's peak RSS, the private server's apart.
 */
export async function benchPitrMariadb(): Promise<void> {
  console.log('\n## Point-in-time recovery of MariaDB (the binlog stream)');
  const megabytes = Number(process.env.BENCH_PITR_MARIADB_MB ?? 200);
  const db = await startMariadbServer({ binlogFormat: 'ROW' });
  const scratch = mkdtempSync(join(tmpdir(), 'bm-bench-pitr-mariadb-'));
  const env = await serviceEnvironment(STATE_DB, scratch);
  const app = await createApp(AppConfig.fromEnvironment(env), false);
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  let worker: ChildProcess = startCompiled('worker', env);
  const shop = (statements: string) => db.sql(statements, 'shop');
  /** a long statement, without blocking the API that runs in this process */
  const shopLong = (statements: string) =>
    promisify(execFile)('mariadb', [
      '--no-defaults',
      '-h127.0.0.1',
      `-P${db.port}`,
      '-uroot',
      'shop',
      '-e',
      statements,
    ]);
  try {
    db.sql(
      'CREATE DATABASE shop; CREATE TABLE shop.ticks (id int AUTO_INCREMENT PRIMARY KEY, at datetime(6));' +
        " CREATE USER 'app'@'%' IDENTIFIED BY 'app-pw'; GRANT ALL PRIVILEGES ON shop.* TO 'app'@'%';" +
        " GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'app'@'%';",
    );
    const inst = await registerWithKey(
      base,
      env.ADMIN_TOKEN,
      {
        type: 'mariadb',
        connection_url: `mariadb://app:app-pw@127.0.0.1:${db.port}/shop`,
        backup_type: 'continuous_archiving',
      } as { type: string; connection_url: string },
      KEY,
    );
    const headers = { Authorization: `Bearer ${inst.token}`, 'Content-Type': 'application/json' };
    const api = async (path: string, body?: unknown) => {
      const res = await fetch(`${base}/v1/instances/${inst.id}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };
    const until = async (path: string) => {
      for (;;) {
        const { body } = await api(path);
        if (body.status === 'failed') throw new Error(`${path} failed: ${body.failure_reason}`);
        if (body.status === 'done') return body;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const backup = async () => {
      const { body } = await api('/backups', {});
      return until(`/backups/${body.id}`);
    };
    const storedEnd = async () => {
      const [row] = await sql<{ end: string | null }>(
        STATE_DB,
        'SELECT max(end_lsn::pg_lsn)::text AS end FROM wal_segments WHERE instance_id = $1',
        [inst.id],
      );
      return row.end === null ? -1n : lsnValue(row.end);
    };
    const serverPosition = () => {
      const [file, offset] = db.sql('SHOW MASTER STATUS').split('\t');
      return lsnValue(binlogPosition(file, Number(offset)));
    };
    const receiverStreaming = async () => {
      for (;;) {
        const [r] = await sql<{ state: string }>(
          STATE_DB,
          'SELECT state FROM wal_receivers WHERE instance_id = $1 AND lease_until > now()',
          [inst.id],
        );
        if (r?.state === 'streaming') return;
        await new Promise((res) => setTimeout(res, 200));
      }
    };
    await receiverStreaming();
    await backup();
    const now = serverPosition();
    while ((await storedEnd()) < now) await new Promise((r) => setTimeout(r, 200));

    // (1) RPO
    const pending: { at: bigint; committed: number }[] = [];
    const delays: number[] = [];
    const lags: number[] = [];
    let running = true;
    const poller = (async () => {
      let sampled = 0;
      while (running || pending.length > 0) {
        const end = await storedEnd();
        const t = Date.now();
        while (pending.length > 0 && pending[0].at <= end) {
          const commit = pending.shift()!;
          const [{ at }] = await sql<{ at: Date }>(
            STATE_DB,
            `SELECT min(created_at) AS at FROM wal_segments
             WHERE instance_id = $1 AND end_lsn::pg_lsn >= $2::pg_lsn`,
            [
              inst.id,
              `${(commit.at >> 32n).toString(16)}/${(commit.at & 0xffffffffn).toString(16)}`,
            ],
          );
          delays.push((at.getTime() - commit.committed) / 1000);
        }
        if (t - sampled >= 1000) {
          sampled = t;
          const w = await api('/pitr');
          if (w.status === 200) lags.push((t - Date.parse(w.body.end_time)) / 1000);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const commits = Number(process.env.BENCH_PITR_COMMITS ?? 60);
    for (let i = 0; i < commits; i++) {
      // the commit and the position after it in one client call
      const out = shop('INSERT INTO ticks (at) VALUES (NOW(6)); SHOW MASTER STATUS');
      const committed = Date.now();
      const [file, offset] = out.split('\n').at(-1)!.split('\t');
      pending.push({ at: lsnValue(binlogPosition(file, Number(offset))), committed });
      await new Promise((r) => setTimeout(r, 2000));
    }
    running = false;
    await poller;
    console.log(
      `RPO, ${commits} commits 2 s apart: COMMIT → its binlog in storage  p50 ${fmt(pct(delays, 50))} s  p99 ${fmt(pct(delays, 99))} s  max ${fmt(Math.max(...delays))} s`,
    );
    console.log(
      `window end_time behind now (sampled every second)           p50 ${fmt(pct(lags, 50))} s  p99 ${fmt(pct(lags, 99))} s`,
    );

    // (2) a restore to a moment of a large database with a third of it rewritten after
    const rows = Math.round((megabytes * 1024 * 1024) / 100);
    await shopLong(
      'CREATE TABLE orders (id int PRIMARY KEY, n int, note char(64)) ENGINE=InnoDB;' +
        ` INSERT INTO orders SELECT seq, seq % 1000, md5(seq) FROM seq_1_to_${rows};`,
    );
    const second = await backup();
    await shopLong(`UPDATE orders SET n = n + 1 WHERE id <= ${Math.round(rows / 3)}`);
    shop('INSERT INTO ticks (at) VALUES (NOW(6))');
    const binlogBytes = Number(
      db
        .sql('SHOW BINARY LOGS')
        .split('\n')
        .reduce((sum, l) => sum + Number(l.split('\t')[1] ?? 0), 0),
    );
    const written = serverPosition();
    let window: Record<string, string> | undefined;
    while (!window) {
      const w = await api('/pitr');
      if (
        (await storedEnd()) >= written &&
        w.status === 200 &&
        Date.parse(w.body.end_time) > Date.parse(second.finished_at) + 1000
      ) {
        window = w.body;
      } else {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    db.sql('ANALYZE TABLE shop.orders');
    const [[dataMiB]] = db
      .sql(
        "SELECT ROUND(SUM(data_length + index_length) / 1048576) FROM information_schema.tables WHERE table_schema = 'shop'",
      )
      .split('\n')
      .map((l) => l.split('\t'));
    console.log(
      `database ${dataMiB} MiB, ${rows} rows; the server's binlog ${fmt(binlogBytes / 2 ** 20, 0)} MiB in all`,
    );

    worker.kill('SIGTERM');
    await once(worker, 'exit');
    worker = startCompiled('worker', env);
    await receiverStreaming();
    await new Promise((res) => setTimeout(res, 3000));
    const peakBefore = peakRssMiB(worker.pid!);
    const serverRss = watchPrivateServers('mariadb');
    const moment = window.end_time;
    const { body: queued } = await api('/restores', { point_in_time: moment });
    const done = await until(`/restores/${queued.id}`);
    const peakDuring = peakRssMiB(worker.pid!);
    const oursSeconds = (Date.parse(done.finished_at) - Date.parse(done.started_at)) / 1000;
    const serverPeak = serverRss.stop();
    const state = () => shop('SELECT COUNT(*), SUM(n) FROM orders; SELECT COUNT(*) FROM ticks');
    const restored = state();

    const hand = handRestore(
      scratch,
      env.STORAGE_PATH,
      db.port,
      await piecesFor(inst.id),
      new Date(moment),
    );
    if (state() !== restored) {
      throw new Error(`by hand ${state()}, the worker ${restored}: not the same state`);
    }
    console.log(
      `by hand: mariadb < dump, then mariadb-binlog --stop-datetime | mariadb   ${fmt(hand)} s`,
    );
    console.log(
      `worker restore to a moment (running → done)                         ${fmt(oursSeconds)} s`,
    );
    console.log(
      `ratio worker / by hand                                              ${fmt(oursSeconds / hand)}`,
    );
    console.log(
      `worker peak RSS ${fmt(peakDuring, 0)} MiB (${fmt(peakBefore, 0)} MiB before the restore, from its start); the private server's own peak ${fmt(serverPeak, 0)} MiB`,
    );
  } finally {
    worker.kill('SIGTERM');
    await once(worker, 'exit').catch(() => undefined);
    await app.close();
    await db.stop();
    await sql('postgres', `DROP DATABASE IF EXISTS ${STATE_DB} WITH (FORCE)`);
    rmSync(scratch, { recursive: true, force: true });
  }
}

const pct = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** The newest base backup and the binlog pieces from its file on, as the worker picks them. */
async function piecesFor(instanceId: string) {
  const [backup] = await sql<{ storage_key: string; wal_start_lsn: string }>(
    STATE_DB,
    "SELECT storage_key, wal_start_lsn FROM backups WHERE instance_id = $1 AND status = 'done' ORDER BY number DESC LIMIT 1",
    [instanceId],
  );
  const pieces = await sql<{ storage_key: string; segment: string; offset: string }>(
    STATE_DB,
    `SELECT storage_key, segment, ((start_lsn::pg_lsn - '0/0'::pg_lsn) % segment_size)::bigint::text AS offset
     FROM wal_segments WHERE instance_id = $1
       AND end_lsn::pg_lsn - '0/0'::pg_lsn > ($2::pg_lsn - '0/0'::pg_lsn) - mod($2::pg_lsn - '0/0'::pg_lsn, segment_size)
     ORDER BY start_lsn::pg_lsn`,
    [instanceId, backup.wal_start_lsn],
  );
  return { backup: backup.storage_key, pieces };
}

/**
 * The restore by hand in a shell, straight into the instance: the dump decrypted into `mariadb`,
 * each binlog piece decrypted into its file at its offset, and the binlog from the dump's
 * position replayed up to the moment's second with `mariadb-binlog | mariadb`. Returns its
 * seconds.
 */
function handRestore(
  scratch: string,
  storage: string,
  port: number,
  what: { backup: string; pieces: { storage_key: string; segment: string; offset: string }[] },
  moment: Date,
): number {
  const dir = mkdtempSync(join(tmpdir(), 'bm-bench-pitr-mariadb-hand-'));
  const list = join(scratch, 'pieces.txt');
  writeFileSync(
    list,
    what.pieces.map((p) => `${p.storage_key} ${p.segment} ${p.offset}\n`).join(''),
  );
  const started = process.hrtime.bigint();
  execFileSync(
    'bash',
    [
      '-c',
      `set -euo pipefail
       client="mariadb --no-defaults -h127.0.0.1 -P$PORT -uroot --max-allowed-packet=1G"
       openssl enc -aes256 -md md5 -d -pass "pass:$KEY" < "$STORAGE/$BACKUP" 2>/dev/null | gunzip > "$DIR/dump.sql"
       $client shop < "$DIR/dump.sql"
       read -r file pos < <(sed -n "s/^-- CHANGE MASTER TO MASTER_LOG_FILE='\\(.*\\)', MASTER_LOG_POS=\\([0-9]*\\);$/\\1 \\2/p" "$DIR/dump.sql")
       rm "$DIR/dump.sql"
       while read -r key seg off; do
         openssl enc -aes256 -md md5 -d -pass "pass:$KEY" < "$STORAGE/$key" 2>/dev/null | gunzip |
           dd of="$DIR/$seg" bs=1M seek="$off" oflag=seek_bytes conv=notrunc status=none
       done < "$LIST"
       files=$(ls "$DIR" | sort | awk -v f="$file" '$0 >= f' | sed "s|^|$DIR/|")
       TZ=UTC mariadb-binlog --no-defaults --start-position="$pos" --database=shop --stop-datetime="$STOP" $files | $client shop
       rm -rf "$DIR"`,
    ],
    {
      env: {
        ...process.env,
        DIR: dir,
        KEY,
        STORAGE: storage,
        BACKUP: what.backup,
        LIST: list,
        PORT: String(port),
        STOP: moment.toISOString().slice(0, 19).replace('T', ' '),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}
