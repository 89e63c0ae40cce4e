import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory';
import { AppConfig } from '../src/core/config/app-config';
import { SOURCE_DB, ensureSourceDatabase } from './pipeline.bench';
import {
  dbUrl,
  fmt,
  peakRssMiB,
  registerWithKey,
  serviceEnvironment,
  sql,
  startCompiled,
  watchPrivateServers,
} from './support';

const TARGET_DB = 'bm_bench_verify_target';

/**
 * Each measurement starts with the disk's write-back done: a restore leaves the instance's
 * server half a gigabyte of pages to checkpoint, which would otherwise be written while the
 * verification after it runs, and be counted as the verification's.
 */
async function quiet(): Promise<void> {
  await sql('postgres', 'CHECKPOINT');
  execFileSync('sync');
}
const STATE_DB = 'bm_bench_verify_state';
const KEY = 'bench-verify-key';

/**
 * `npm run bench -- verify`: a backup of the ~500 MB source database verified (restored into a
 * scratch server the worker starts, its tables counted) beside the restore of the same archive
 * into the instance, twice each, by a worker started fresh so that its peak RSS is theirs; the
 * scratch server's own memory is reported apart.
 */
export async function benchVerify(): Promise<void> {
  console.log('\n## Verification (storage → decrypt → gunzip → scratch server → counts)');
  await ensureSourceDatabase();
  await sql('postgres', `DROP DATABASE IF EXISTS ${TARGET_DB} WITH (FORCE)`);
  await sql('postgres', `CREATE DATABASE ${TARGET_DB} TEMPLATE ${SOURCE_DB}`);
  const scratch = mkdtempSync(join(tmpdir(), 'bm-bench-verify-'));
  const env = await serviceEnvironment(STATE_DB, scratch);
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
    const admin = { Authorization: `Bearer ${env.ADMIN_TOKEN}` };
    const get = async (path: string, h: Record<string, string>) =>
      (await (await fetch(`${base}${path}`, { headers: h })).json()) as Record<string, unknown>;
    const until = async (path: string) => {
      for (;;) {
        const r = await get(path, headers);
        if (r.status === 'failed') throw new Error(`${path} failed: ${String(r.failure_reason)}`);
        if (r.status === 'done') {
          return (Date.parse(String(r.finished_at)) - Date.parse(String(r.started_at))) / 1000;
        }
        await new Promise((res) => setTimeout(res, 200));
      }
    };
    await fetch(`${base}/v1/instances/${inst.id}/backups`, { method: 'POST', headers });
    await until(`/v1/instances/${inst.id}/backups/1`);
    const backup = await get(`/admin/v1/instances/${inst.id}/backups/1`, admin);
    console.log(`archive ${fmt(Number(backup.size) / 2 ** 20, 1)} MiB`);

    // a fresh worker, so that its peak RSS is what the restores and verifications add
    worker.kill('SIGTERM');
    await once(worker, 'exit');
    worker = startCompiled('worker', env);

    const restores: number[] = [];
    const verifications: number[] = [];
    let scratchPeak = 0;
    let verified: Record<string, unknown> = {};
    for (let run = 1; run <= 2; run++) {
      await quiet();
      const res = await fetch(`${base}/v1/instances/${inst.id}/restores`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ backup_id: 1 }),
      });
      const { id } = (await res.json()) as { id: number };
      restores.push(await until(`/v1/instances/${inst.id}/restores/${id}`));

      await quiet();
      const servers = watchPrivateServers('pg');
      await fetch(`${base}/admin/v1/instances/${inst.id}/backups/1/verify`, {
        method: 'POST',
        headers: admin,
      });
      for (;;) {
        const b = await get(`/admin/v1/instances/${inst.id}/backups/1`, admin);
        const v = b.verification as Record<string, unknown> | undefined;
        if (v && v.status === 'failed')
          throw new Error(`verification failed: ${String(v.failure_reason)}`);
        if (v && v.status === 'verified') {
          verified = v;
          break;
        }
        await new Promise((res) => setTimeout(res, 200));
      }
      scratchPeak = Math.max(scratchPeak, servers.stop());
      verifications.push(Number(verified.duration_ms) / 1000);
    }
    const best = (xs: number[]) => Math.min(...xs);
    const list = (xs: number[]) => xs.map((x) => fmt(x)).join(' s, ');
    console.log(
      `tables ${String(verified.tables)}, rows ${String(verified.rows)} (each table's count equal to the dump's)`,
    );
    console.log(
      `restore into the instance, running → done (best of 2)  ${fmt(best(restores))} s   (${list(restores)} s)`,
    );
    console.log(
      `verification, duration_ms (best of 2)                  ${fmt(best(verifications))} s   (${list(verifications)} s)`,
    );
    console.log(
      `ratio verification / restore                           ${fmt(best(verifications) / best(restores))}`,
    );
    console.log(
      `worker peak RSS ${fmt(peakRssMiB(worker.pid!), 0)} MiB; the scratch server's own peak (all its processes) ${fmt(scratchPeak, 0)} MiB`,
    );
  } finally {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
    await app.close();
    await sql('postgres', `DROP DATABASE IF EXISTS ${STATE_DB} WITH (FORCE)`);
    await sql('postgres', `DROP DATABASE IF EXISTS ${TARGET_DB} WITH (FORCE)`);
    rmSync(scratch, { recursive: true, force: true });
  }
}
