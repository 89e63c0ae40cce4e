import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cpuSeconds,
  fmt,
  freshStateDatabase,
  registerWithKey,
  rssMiB,
  sql,
  startCompiled,
} from './support';

const SIZE = 1024 ** 3;

interface Run {
  /** bytes per second, as curl measured it */
  speed: number;
  /** the serving processes' CPU seconds for the whole download */
  cpu: number;
  peakRss: number;
}

/**
 * Downloads with curl into /dev/null while counting the CPU time of the processes that serve
 * it (`servers`) and sampling the RSS of `samplePid`.
 */
async function curlSpeed(
  url: string,
  headers: string[] = [],
  servers: number[] = [],
  samplePid?: number,
): Promise<Run> {
  const cpuBefore = servers.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const child = spawn(
    'curl',
    [
      '-s',
      '-S',
      '-o',
      '/dev/null',
      '-w',
      '%{speed_download} %{size_download}',
      ...headers.flatMap((h) => ['-H', h]),
      url,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  let peakRss = samplePid ? rssMiB(samplePid) : 0;
  const sampler = samplePid
    ? setInterval(() => (peakRss = Math.max(peakRss, rssMiB(samplePid))), 20)
    : undefined;
  await once(child, 'close');
  clearInterval(sampler);
  const [speed, size] = out.split(' ').map(Number);
  if (size !== SIZE) throw new Error(`downloaded ${size} bytes, expected ${SIZE}`);
  const cpu = servers.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - cpuBefore;
  return { speed, cpu, peakRss };
}

async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

/** The ceiling for Node: a bare http server piping the file with 1 MiB chunks. */
function startBareNode(file: string, port: number): ChildProcess {
  const script = `
    const http = require('node:http'), fs = require('node:fs'), { pipeline } = require('node:stream');
    http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Length': fs.statSync(process.argv[1]).size });
      pipeline(fs.createReadStream(process.argv[1], { highWaterMark: 1 << 20 }), res, () => {});
    }).listen(${port}, '127.0.0.1');`;
  return spawn(process.execPath, ['-e', script, file], { stdio: 'ignore' });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function startNginx(root: string, port: number, dir: string): ChildProcess {
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off; user root; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
     events {}
     http { access_log off; sendfile on; server { listen 127.0.0.1:${port}; root ${root}; } }`,
  );
  return spawn('nginx', ['-c', conf, '-p', dir], { stdio: 'ignore' });
}

export async function benchDownload(): Promise<void> {
  console.log('\n## Download of a 1 GiB archive (API vs nginx, same file, same client: curl)');
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
  } catch {
    console.log('nginx is not installed (apt-get install nginx); skipped');
    return;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'bm-bench-dl-'));
  const storage = join(scratch, 'storage');
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: await freshStateDatabase('bm_bench_download'),
    ADMIN_TOKEN: randomBytes(24).toString('hex'),
    MASTER_KEY: randomBytes(32).toString('hex'),
    BACKUP_MANAGER_PASSWORD: randomBytes(16).toString('hex'),
    STORAGE_PATH: storage,
    QUEUE_PREFIX: `bm-bench-${randomBytes(3).toString('hex')}`,
    LOG_LEVEL: 'warn',
    PORT: '39401',
  };
  const api = startCompiled('main', env);
  const nginx = startNginx(storage, 39402, scratch);
  let bare: ChildProcess | undefined;
  try {
    const base = `http://127.0.0.1:${env.PORT}`;
    await waitForHttp(`${base}/health`);
    const { id, token } = await registerWithKey(
      base,
      env.ADMIN_TOKEN,
      { type: 'redis', connection_url: 'redis://127.0.0.1:6379' },
      'bench-key-123',
    );
    const inst = { id };
    mkdirSync(join(storage, inst.id), { recursive: true });
    const file = join(storage, inst.id, 'archive.tgz');
    execFileSync('sh', ['-c', `head -c ${SIZE} /dev/urandom > "${file}"`]);
    await sql(
      'bm_bench_download',
      `INSERT INTO backup_rows (instance_id, number, backup_id, status, size, sha256, storage_key, encryption_key_id, started_at, finished_at)
       SELECT $1, 1, $1 || '-1', 'done', $2, repeat('0', 64), $3, active_key_id, now(), now() FROM backups_config WHERE instance_id = $1`,
      [inst.id, SIZE, `${inst.id}/archive.tgz`],
    );
    await waitForHttp(`http://127.0.0.1:39402/`);
    bare = startBareNode(file, 39403);
    await waitForHttp('http://127.0.0.1:39403/');

    const apiUrl = `${base}/v1/instances/${inst.id}/backups/1/download`;
    const nginxUrl = `http://127.0.0.1:39402/${inst.id}/archive.tgz`;
    await curlSpeed(nginxUrl); // page cache warm for both
    const auth = [`Authorization: Bearer ${token}`];
    await curlSpeed(apiUrl, auth);
    const baseline = rssMiB(api.pid!);
    const bareUrl = 'http://127.0.0.1:39403/';
    const apiRuns = [];
    const nginxRuns = [];
    const bareRuns = [];
    // interleaved, so that whatever else the machine does hits all three alike
    const nginxWorkers = execFileSync('pgrep', ['-P', String(nginx.pid)])
      .toString()
      .trim()
      .split('\n')
      .map(Number);
    for (let i = 0; i < 5; i++) {
      apiRuns.push(await curlSpeed(apiUrl, auth, [api.pid!], api.pid));
      nginxRuns.push(await curlSpeed(nginxUrl, [], nginxWorkers));
      bareRuns.push(await curlSpeed(bareUrl, [], [bare.pid!]));
    }
    const peak = Math.max(...apiRuns.map((r) => r.peakRss));
    const mib = (b: number) => `${fmt(b / 2 ** 20, 0)} MiB/s`;
    const speeds = (runs: Run[]) => runs.map((r) => r.speed);
    const line = (label: string, runs: Run[]) =>
      console.log(
        `${label.padEnd(34)}median ${mib(median(speeds(runs)))}, ${fmt(median(runs.map((r) => r.cpu)))} CPU s/GiB` +
          `   (runs: ${speeds(runs).map(mib).join(', ')})`,
      );
    line('nginx (sendfile)', nginxRuns);
    line('bare Node pipeline, 1 MiB chunks', bareRuns);
    line('API download route', apiRuns);
    const apiMedian = median(speeds(apiRuns));
    console.log(`ratio API / nginx (medians)       ${fmt(apiMedian / median(speeds(nginxRuns)))}`);
    console.log(`ratio API / bare Node (medians)   ${fmt(apiMedian / median(speeds(bareRuns)))}`);
    console.log(
      `API RSS during downloads    ${fmt(baseline, 0)} MiB before, ${fmt(peak, 0)} MiB peak (+${fmt(peak - baseline, 1)} MiB)`,
    );
  } finally {
    api.kill('SIGTERM');
    nginx.kill('SIGQUIT');
    bare?.kill('SIGKILL');
    await Promise.all([once(api, 'exit'), once(nginx, 'exit')]).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
    await sql('postgres', 'DROP DATABASE IF EXISTS bm_bench_download WITH (FORCE)');
  }
}
