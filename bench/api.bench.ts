import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import {
  cpuSeconds,
  fmt,
  freshStateDatabase,
  registerWithKey,
  rssMiB,
  sql,
  startBenchApi,
} from './support';

const DB = 'bm_bench_api';
const ROWS = 1000;
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
/** Only the routes whose name contains this (and /health, the yardstick): for a profile of one. */
const ONLY = process.env.BENCH_API_ONLY;

/** CPU seconds used so far by the local PostgreSQL server's processes (0 when not local). */
function postgresCpuSeconds(): number {
  let pids: string[] = [];
  try {
    pids = execFileSync('pgrep', ['-x', 'postgres']).toString().trim().split('\n');
  } catch {
    return 0;
  }
  return pids.reduce((sum, pid) => {
    try {
      return sum + cpuSeconds(Number(pid));
    } catch {
      return sum; // ended meanwhile
    }
  }, 0);
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  cpuMsPerRequest: number;
  /** CPU of every PostgreSQL process, per request */
  dbCpuMsPerRequest: number;
  /** the load generator's own CPU share: near 1.0 means the client, not the API, was the limit */
  clientCpu: number;
}

async function load(
  url: string,
  token: string | null,
  pid: number,
  seconds = SECONDS,
): Promise<Result> {
  const cpuBefore = cpuSeconds(pid);
  const dbBefore = postgresCpuSeconds();
  const clientBefore = process.cpuUsage();
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const cpu = cpuSeconds(pid) - cpuBefore;
  const db = postgresCpuSeconds() - dbBefore;
  const client = process.cpuUsage(clientBefore);
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    cpuMsPerRequest: (cpu * 1000) / Math.max(1, r.requests.total),
    dbCpuMsPerRequest: Math.max(0, (db * 1000) / Math.max(1, r.requests.total)),
    clientCpu: (client.user + client.system) / 1e6 / seconds,
  };
}

/**
 * `npm run bench -- api`: one API process (production build), 50 connections for 10 s per
 * route, one route after the other, against a state database with one instance of 1,000
 * backups. Each route's req/s is shown as a ratio to `/health` (one SELECT 1), the framework's
 * and the database's floor, measured in the same run.
 */
export async function benchApi(): Promise<void> {
  console.log(
    `\n## Public API reads (one API process, ${CONNECTIONS} connections, ${SECONDS} s per route)`,
  );
  const url = await freshStateDatabase(DB);
  const { api, base, adminToken } = await startBenchApi(url);
  try {
    const inst = await registerWithKey(
      base,
      adminToken,
      { type: 'postgresql', connection_url: 'postgresql://bench@127.0.0.1:1/none' },
      'bench-key-123',
    );
    // 1,000 done backups, as years of daily backups leave them
    await sql(
      DB,
      `WITH k AS (SELECT active_key_id FROM backups_config WHERE instance_id = $1)
       INSERT INTO backup_rows (instance_id, number, backup_id, status, trigger, size, sha256,
                            storage_key, encryption_key_id, triggered_at, started_at, finished_at)
       SELECT $1, n, $1 || '-' || (1600000000000 + n::bigint * 86400000)::text, 'done', 'scheduled',
              1000000 + n, repeat('a', 64), $1 || '/' || n || '.tgz', k.active_key_id,
              to_timestamp((1600000000000 + n::bigint * 86400000) / 1000.0),
              to_timestamp((1600000000000 + n::bigint * 86400000) / 1000.0 + 1),
              to_timestamp((1600000000000 + n::bigint * 86400000) / 1000.0 + 30)
       FROM generate_series(1, $2::int) n, k`,
      [inst.id, ROWS],
    );
    await sql(DB, 'UPDATE instances SET last_backup_number = $2 WHERE id = $1', [inst.id, ROWS]);
    await sql(DB, 'ANALYZE');

    const v1 = `${base}/v1/instances/${inst.id}`;
    const routes: Array<[string, string, string | null]> = [
      ['unrouted 404 (the framework)', `${base}/no-such-route`, null],
      ['GET /health (one SELECT 1)', `${base}/health`, null],
      ['GET …/backups/500', `${v1}/backups/500`, inst.token],
      ['GET …/backups-config', `${v1}/backups-config`, inst.token],
      [`GET …/backups (${ROWS} rows)`, `${v1}/backups`, inst.token],
      ['GET …/backups?limit=50', `${v1}/backups?limit=50`, inst.token],
    ];
    const rssBefore = rssMiB(api.pid!);
    const results: Array<[string, Result]> = [];
    for (const [name, target, token] of routes) {
      if (ONLY && !name.includes(ONLY) && !name.includes('/health')) continue;
      await load(target, token, api.pid!, 3); // warm up (JIT, pool), not counted
      results.push([name, await load(target, token, api.pid!)]);
    }
    const health = results.find(([name]) => name.includes('/health'))![1].rps;
    console.log(
      'route'.padEnd(34) +
        'req/s'.padStart(9) +
        '× /health'.padStart(11) +
        'p50 ms'.padStart(9) +
        'p99 ms'.padStart(9) +
        'CPU ms/req'.padStart(12) +
        'DB CPU ms'.padStart(11) +
        'client CPU'.padStart(12) +
        '  non-2xx/errors',
    );
    for (const [name, r] of results) {
      console.log(
        name.padEnd(34) +
          fmt(r.rps, 0).padStart(9) +
          fmt(r.rps / health, 2).padStart(11) +
          String(r.p50).padStart(9) +
          String(r.p99).padStart(9) +
          fmt(r.cpuMsPerRequest, 2).padStart(12) +
          fmt(r.dbCpuMsPerRequest, 2).padStart(11) +
          fmt(r.clientCpu, 2).padStart(12) +
          `  ${r.non2xx}/${r.errors}`,
      );
    }
    console.log(
      `API RSS: ${fmt(rssBefore, 0)} MiB before the load, ${fmt(rssMiB(api.pid!), 0)} MiB after`,
    );
  } finally {
    api.kill('SIGTERM');
    await once(api, 'exit');
    await sql('postgres', `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}
