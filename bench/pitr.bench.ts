import { ChildProcess, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createApp } from '../src/app.factory';
import { AppConfig } from '../src/core/config/app-config';
import { lsnText, lsnValue } from '../src/wal/lsn';
import { startPostgresServer } from '../test/support/postgres-server';
import { benchPitrMariadb } from './pitr-mariadb.bench';
import {
  fmt,
  serviceEnvironment,
  peakRssMiB,
  registerWithKey,
  sql,
  startCompiled,
  watchPrivateServers,
} from './support';

const KEY = 'bench-pitr-key';
const STATE_DB = 'bm_bench_pitr_state';

/**
 * `npm run bench -- pitr`: continuous archiving of PostgreSQL, then of MariaDB
 * (pitr-mariadb.bench.ts); BENCH_PITR_ENGINES (`postgresql,mariadb`) picks which.
 */
export async function benchPitr(): Promise<void> {
  const engines = (process.env.BENCH_PITR_ENGINES ?? 'postgresql,mariadb').split(',');
  if (engines.includes('postgresql')) await benchPitrPostgresql();
  if (engines.includes('mariadb')) await benchPitrMariadb();
}

/**
 * The PostgreSQL part of `npm run bench -- pitr`: continuous archiving of a private cluster (its
 * own port, replication allowed). (1) RPO: one commit every 2 s for 2 minutes on an otherwise
 * idle server; how long from COMMIT until the WAL holding it is in storage (the piece that holds
 * it recorded), and how far the window's end trails now.
 * (2) A restore to a moment of a database of BENCH_PITR_MB (500) MB with about as much WAL after
 * its base backup, beside the same done by hand (base backup unpacked, the WAL pieces decrypted
 * into segments, postgres recovering with a restore_command, pg_dump | psql), and the worker's
 * peak RSS with the private server's memory reported apart.
 */
async function benchPitrPostgresql(): Promise<void> {
  console.log('\n## Point-in-time recovery (continuous archiving)');
  const megabytes = Number(process.env.BENCH_PITR_MB ?? 500);
  const pg = await startPostgresServer();
  const scratch = mkdtempSync(join(tmpdir(), 'bm-bench-pitr-'));
  const env = await serviceEnvironment(STATE_DB, scratch);
  const app = await createApp(AppConfig.fromEnvironment(env), false);
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  let worker: ChildProcess = startCompiled('worker', env);
  const instanceSql = async (text: string) => {
    const c = new Client({ connectionString: pg.url('shop') });
    await c.connect();
    try {
      return (await c.query(text)).rows as Record<string, unknown>[];
    } finally {
      await c.end();
    }
  };
  try {
    const c = new Client({ connectionString: pg.url('postgres') });
    await c.connect();
    await c.query('CREATE DATABASE shop');
    await c.end();
    await instanceSql('CREATE TABLE ticks (id serial PRIMARY KEY, at timestamptz)');
    const inst = await registerWithKey(
      base,
      env.ADMIN_TOKEN,
      {
        type: 'postgresql',
        connection_url: pg.url('shop'),
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
    /** until a worker holds the instance's receiver and it streams */
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
    // the pass after a base backup ships the rest of the segment it switched from: the commits
    // below are timed on an idle server, once storage holds what the server wrote until now
    const [{ lsn: now }] = await instanceSql('SELECT pg_current_wal_lsn()::text AS lsn');
    while ((await storedEnd()) < lsnValue(String(now))) {
      await new Promise((r) => setTimeout(r, 200));
    }

    // (1) RPO
    const pending: { lsn: bigint; at: number }[] = [];
    const delays: number[] = [];
    const lags: number[] = [];
    let running = true;
    const poller = (async () => {
      let sampled = 0;
      while (running || pending.length > 0) {
        const end = await storedEnd();
        const now = Date.now();
        while (pending.length > 0 && pending[0].lsn <= end) {
          // when the piece that holds it was recorded, which is after its upload ended: what
          // this loop polls adds nothing
          const commit = pending.shift()!;
          const [{ at }] = await sql<{ at: Date }>(
            STATE_DB,
            `SELECT min(created_at) AS at FROM wal_segments
             WHERE instance_id = $1 AND end_lsn::pg_lsn >= $2::pg_lsn`,
            [inst.id, lsnText(commit.lsn)],
          );
          delays.push((at.getTime() - commit.at) / 1000);
        }
        if (now - sampled >= 1000) {
          sampled = now;
          const w = await api('/pitr');
          if (w.status === 200) lags.push((now - Date.parse(w.body.end_time)) / 1000);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const commits = Number(process.env.BENCH_PITR_COMMITS ?? 60);
    const session = new Client({ connectionString: pg.url('shop') });
    await session.connect();
    for (let i = 0; i < commits; i++) {
      await session.query('INSERT INTO ticks (at) VALUES (now())');
      const at = Date.now();
      const [{ lsn }] = (await session.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows as {
        lsn: string;
      }[];
      pending.push({ lsn: lsnValue(lsn), at });
      await new Promise((r) => setTimeout(r, 2000));
    }
    await session.end();
    running = false;
    await poller;
    console.log(
      `RPO, ${commits} commits 2 s apart: COMMIT → its WAL in storage  p50 ${fmt(pct(delays, 50))} s  p99 ${fmt(pct(delays, 99))} s  max ${fmt(Math.max(...delays))} s`,
    );
    console.log(
      `window end_time behind now (sampled every second)        p50 ${fmt(pct(lags, 50))} s  p99 ${fmt(pct(lags, 99))} s`,
    );

    // (2) a restore to a moment of a large database with as much WAL after its base backup
    const rows = Math.round((megabytes * 1024 * 1024) / 130);
    await instanceSql(
      `CREATE TABLE orders AS SELECT g AS id, g % 1000 AS n, md5(g::text) || md5((g + 1)::text) AS note FROM generate_series(1, ${rows}) g`,
    );
    const [{ size }] = await instanceSql("SELECT pg_database_size('shop')::bigint AS size");
    const second = await backup();
    const before = await storedEnd();
    // rewrites 30% of the rows, new versions and first-touch page images: about as much WAL
    // as the database holds
    await instanceSql(`UPDATE orders SET n = n + 1 WHERE id <= ${Math.round(rows * 0.3)}`);
    await instanceSql("INSERT INTO ticks (at) VALUES ('2000-01-01')"); // the moment's marker
    await instanceSql('SELECT pg_switch_wal()');
    const [{ wal }] = await instanceSql(
      `SELECT (pg_current_wal_lsn() - '${lsnText(before)}'::pg_lsn)::bigint AS wal`,
    );
    // everything written is in storage, and the window reaches past the second base backup
    let window: Record<string, string> | undefined;
    const [{ written }] = await instanceSql('SELECT pg_current_wal_insert_lsn()::text AS written');
    while (!window) {
      const w = await api('/pitr');
      if (
        (await storedEnd()) >= lsnValue(written as string) &&
        w.status === 200 &&
        Date.parse(w.body.end_time) > Date.parse(second.finished_at)
      ) {
        window = w.body;
      } else {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    console.log(
      `database ${fmt(Number(size) / 2 ** 20, 0)} MiB, WAL after its base backup ${fmt(Number(wal) / 2 ** 20, 0)} MiB`,
    );

    // a fresh worker, so that its peak RSS is the restore's
    worker.kill('SIGTERM');
    await once(worker, 'exit');
    worker = startCompiled('worker', env);
    // started, its receiver running again: what the restore adds is measured from here
    await receiverStreaming();
    await new Promise((res) => setTimeout(res, 3000));
    const peakBefore = peakRssMiB(worker.pid!);
    const serverRss = watchPrivateServers();
    const moment = window.end_time;
    const { body: queued } = await api('/restores', { point_in_time: moment });
    const done = await until(`/restores/${queued.id}`);
    // read now: the restore by hand below makes WAL that this worker's receiver ships
    const peakDuring = peakRssMiB(worker.pid!);
    const oursSeconds = (Date.parse(done.finished_at) - Date.parse(done.started_at)) / 1000;
    const serverPeak = serverRss.stop();
    const [{ count: restoredTicks }] = await instanceSql(
      'SELECT count(*)::int AS count FROM ticks',
    );

    const hand = handRestore(scratch, env.STORAGE_PATH, pg.url('shop'), await piecesFor(inst.id));
    const [{ count: handTicks }] = await instanceSql('SELECT count(*)::int AS count FROM ticks');
    if (handTicks !== restoredTicks) {
      throw new Error(
        `by hand ${String(handTicks)} ticks, the worker ${String(restoredTicks)}: not the same state`,
      );
    }
    console.log(`by hand: unpack, recover with a restore_command, pg_dump | psql   ${fmt(hand)} s`);
    console.log(
      `worker restore to a moment (running → done)                       ${fmt(oursSeconds)} s`,
    );
    console.log(
      `ratio worker / by hand                                            ${fmt(oursSeconds / hand)}`,
    );
    console.log(
      `worker peak RSS ${fmt(peakDuring, 0)} MiB (${fmt(peakBefore, 0)} MiB before the restore, from its start); the private server's own peak (all its processes) ${fmt(serverPeak, 0)} MiB`,
    );
  } finally {
    worker.kill('SIGTERM');
    await once(worker, 'exit').catch(() => undefined);
    await app.close();
    pg.destroy();
    await sql('postgres', `DROP DATABASE IF EXISTS ${STATE_DB} WITH (FORCE)`);
    rmSync(scratch, { recursive: true, force: true });
  }
}

const pct = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** The base backup and the WAL pieces a restore to the end replays, as the worker picks them. */
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
 * The same restore by hand in a shell: the base backup decrypted and unpacked, each WAL piece
 * decrypted into its segment at its offset, postgres started on it with recovery.signal and a
 * restore_command, and its database moved into the instance with pg_dump | psql in one
 * transaction. Returns its seconds.
 */
function handRestore(
  scratch: string,
  storage: string,
  target: string,
  what: { backup: string; pieces: { storage_key: string; segment: string; offset: string }[] },
): number {
  const dir = mkdtempSync(join(tmpdir(), 'bm-bench-pitr-hand-')); // the server's user reaches it
  const list = join(scratch, 'pieces.txt');
  writeFileSync(
    list,
    what.pieces.map((p) => `${p.storage_key} ${p.segment} ${p.offset}\n`).join(''),
  );
  const major = readdirSync('/usr/lib/postgresql')
    .filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/postgres`))
    .sort((a, b) => Number(b) - Number(a))[0];
  const started = process.hrtime.bigint();
  execFileSync(
    'bash',
    [
      '-c',
      `set -euo pipefail
       rm -rf "$DIR"; mkdir -p "$DIR/data" "$DIR/wal"; chmod 700 "$DIR/data"
       openssl enc -aes256 -md md5 -d -pass "pass:$KEY" < "$STORAGE/$BACKUP" 2>/dev/null | gunzip | tar -x -C "$DIR/data"
       while read -r key seg off; do
         [ -f "$DIR/wal/$seg" ] || truncate -s 16M "$DIR/wal/$seg"
         openssl enc -aes256 -md md5 -d -pass "pass:$KEY" < "$STORAGE/$key" 2>/dev/null | gunzip |
           dd of="$DIR/wal/$seg" bs=1M seek="$off" oflag=seek_bytes conv=notrunc status=none
       done < "$LIST"
       : > "$DIR/postgresql.conf"; : > "$DIR/data/postgresql.auto.conf"; touch "$DIR/data/recovery.signal"
       echo 'local all all trust' > "$DIR/pg_hba.conf"
       chown -R postgres "$DIR"
       runuser -u postgres -- "$BIN/postgres" -D "$DIR/data" -c config_file="$DIR/postgresql.conf" \\
         -c hba_file="$DIR/pg_hba.conf" -c listen_addresses= -c unix_socket_directories="$DIR" \\
         -c restore_command="cp $DIR/wal/%f %p" -c recovery_target_action=promote \\
         -c fsync=off -c hot_standby=off > "$DIR/log" 2>&1 &
       server=$!
       until psql -h "$DIR" -U postgres -d postgres -Atc 'SELECT NOT pg_is_in_recovery()' 2>/dev/null | grep -q t; do
         kill -0 $server 2>/dev/null || { cat "$DIR/log" >&2; exit 1; }
         sleep 0.2
       done
       { echo 'BEGIN; DROP SCHEMA public CASCADE; CREATE SCHEMA public;'
         pg_dump -h "$DIR" -U postgres -d shop
         echo 'COMMIT;'; } | PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 "$TARGET" > /dev/null
       runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop > /dev/null
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
        TARGET: target,
        BIN: `/usr/lib/postgresql/${major}/bin`,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}
