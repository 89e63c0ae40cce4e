import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory';
import { AppConfig } from '../src/core/config/app-config';
import { SOURCE_DB, ensureSourceDatabase } from './pipeline.bench';
import {
  dbUrl,
  fmt,
  serviceEnvironment,
  peakRssMiB,
  registerWithKey,
  sql,
  startCompiled,
  time,
} from './support';

const TARGET_DB = 'bm_bench_restore_target';

/**
 * fetch, tried once more when a kept-alive connection was closed by the server while the shell
 * pipeline ran (undici reports that as "fetch failed"; the request never reached the server).
 */
async function fetchAgain(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    return fetch(url, init);
  }
}
const KEY = 'bench-key-123';

/**
 * The shell's restore of the same archive into the same database, doing the same work as the
 * worker: one transaction that drops the schema, applies the dump and commits.
 */
function shellRestore(archive: string): number {
  return time(() =>
    execFileSync(
      'sh',
      [
        '-c',
        `{ echo 'BEGIN; DROP SCHEMA public CASCADE; CREATE SCHEMA public;'
           openssl enc -aes256 -md md5 -d -pass "pass:$KEY" < "$IN" 2>/dev/null | gunzip
           echo 'COMMIT;'; } | psql -X -q -v ON_ERROR_STOP=1 "$DB" >/dev/null`,
      ],
      { env: { ...process.env, KEY, IN: archive, DB: dbUrl(TARGET_DB) } },
    ),
  ).seconds;
}

/**
 * `npm run bench -- restore`: a backup of the ~500 MB source database restored by the worker
 * (its own process, started fresh so that its peak RSS is the restore's) beside the shell
 * pipeline `openssl enc -d | gunzip | psql` on the same archive into the same database.
 */
export async function benchRestore(): Promise<void> {
  console.log('\n## Restore (storage → verify → decrypt → gunzip → psql)');
  await ensureSourceDatabase();
  await sql('postgres', `DROP DATABASE IF EXISTS ${TARGET_DB} WITH (FORCE)`);
  await sql('postgres', `CREATE DATABASE ${TARGET_DB} TEMPLATE ${SOURCE_DB}`);
  const scratch = mkdtempSync(join(tmpdir(), 'bm-bench-restore-'));
  const env = await serviceEnvironment('bm_bench_state', scratch);
  const app = await createApp(AppConfig.fromEnvironment(env), false);
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  let worker = startCompiled('worker', env);
  try {
    const inst = await registerWithKey(
      base,
      env.ADMIN_TOKEN,
      { type: 'postgresql', connection_url: dbUrl(TARGET_DB) },
      KEY,
    );
    const headers = { Authorization: `Bearer ${inst.token}`, 'Content-Type': 'application/json' };
    const until = async (path: string) => {
      for (;;) {
        const r = (await (await fetchAgain(`${base}${path}`, { headers })).json()) as {
          status: string;
          started_at: string;
          finished_at: string;
          failure_reason?: string;
        };
        if (r.status === 'failed') throw new Error(`${path} failed: ${r.failure_reason}`);
        if (r.status === 'done')
          return (Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000;
        await new Promise((res) => setTimeout(res, 200));
      }
    };
    await fetch(`${base}/v1/instances/${inst.id}/backups`, { method: 'POST', headers });
    await until(`/v1/instances/${inst.id}/backups/1`);
    const [{ storage_key: key, size }] = await sql<{ storage_key: string; size: string }>(
      env.DATABASE_URL.split('/').pop()!,
      'SELECT storage_key, size::text FROM backups WHERE instance_id = $1',
      [inst.id],
    );
    const archive = join(env.STORAGE_PATH, key);
    console.log(`archive ${fmt(Number(size) / 2 ** 20, 1)} MiB`);

    // a fresh worker, so that its peak RSS is the restore's
    worker.kill('SIGTERM');
    await once(worker, 'exit');
    worker = startCompiled('worker', env);

    const shell: number[] = [];
    const ours: number[] = [];
    for (let run = 1; run <= 2; run++) {
      shell.push(shellRestore(archive));
      const res = await fetchAgain(`${base}/v1/instances/${inst.id}/restores`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ backup_id: 1 }),
      });
      const { id } = (await res.json()) as { id: number };
      ours.push(await until(`/v1/instances/${inst.id}/restores/${id}`));
    }
    const bestShell = Math.min(...shell);
    const bestOurs = Math.min(...ours);
    console.log(
      `shell  openssl enc -d | gunzip | psql (best of 2)       ${fmt(bestShell)} s   (${shell.map((s) => fmt(s)).join(' s, ')} s)`,
    );
    console.log(
      `worker running → done, checksum on the way (best of 2) ${fmt(bestOurs)} s   (${ours.map((s) => fmt(s)).join(' s, ')} s)`,
    );
    console.log(`ratio worker / shell                                ${fmt(bestOurs / bestShell)}`);
    console.log(
      `worker peak RSS                                     ${fmt(peakRssMiB(worker.pid!), 0)} MiB`,
    );
  } finally {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
    await app.close();
    await sql('postgres', 'DROP DATABASE IF EXISTS bm_bench_state WITH (FORCE)');
    await sql('postgres', `DROP DATABASE IF EXISTS ${TARGET_DB} WITH (FORCE)`);
    rmSync(scratch, { recursive: true, force: true });
  }
}
