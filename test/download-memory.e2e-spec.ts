import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { RunningProcess, startEntry, waitFor } from './support/processes';
import { seedDownloadableArchive } from './support/seed-archive';
import { freePort } from './support/servers';
import { TestApp, processEnvFor, registerInstance, startTestApp } from './support/test-app';

const GiB = 1024 ** 3;
const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Downloads with curl into /dev/null while sampling the API's RSS; returns the peak. */
async function downloadSamplingRss(
  url: string,
  token: string,
  pid: number,
): Promise<{ peak: number; bytes: number }> {
  const curl = spawn(
    'curl',
    [
      '-s',
      '-S',
      '-o',
      '/dev/null',
      '-w',
      '%{size_download}',
      '-H',
      `Authorization: Bearer ${token}`,
      url,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  curl.stdout.on('data', (d: Buffer) => (out += d.toString()));
  let peak = rssMiB(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 20);
  await once(curl, 'close');
  clearInterval(sampler);
  return { peak, bytes: Number(out) };
}

describe('downloading a 1 GiB archive', () => {
  let t: TestApp;
  let api: RunningProcess;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = startEntry(
      'main.ts',
      processEnvFor(t, { PORT: String(port), LOG_LEVEL: 'warn' }),
      process.cwd(),
    );
    await waitFor(async () => (await fetch(`${base}/health`)).ok, 180000, 'the API');
  });
  afterAll(async () => {
    await api?.stop();
    await t?.close();
  });

  it('raises the API process RSS by less than 64 MB', async () => {
    const inst = await registerInstance(t);
    const small = await seedDownloadableArchive(t, inst, 8 * 1024 * 1024);
    const big = await seedDownloadableArchive(t, inst, GiB);
    const url = (n: number) => `${base}/v1/instances/${inst.id}/backups/${n}/download`;

    // warm up the route (lazy modules, JIT) so the baseline is the steady state
    for (let i = 0; i < 3; i++)
      await downloadSamplingRss(url(small.number), inst.token, api.child.pid!);
    const baseline = rssMiB(api.child.pid!);
    const { peak, bytes } = await downloadSamplingRss(url(big.number), inst.token, api.child.pid!);
    expect(bytes).toBe(GiB);
    expect(peak - baseline).toBeLessThan(64);
  }, 300000);
});
