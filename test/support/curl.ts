import { spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * Runs the real curl, asynchronously (the server answering it lives in this process);
 * returns the status code and the headers it received.
 */
export async function curl(
  args: string[],
): Promise<{ status: number; headers: Record<string, string> }> {
  const child = spawn('curl', ['-s', '-S', '-m', '60', '-D', '-', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await once(child, 'close')) as [number];
  if (code !== 0) throw new Error(`curl exited with ${code}: ${err}`);
  const blocks = out.split(/\r\n\r\n/).filter((b) => b.startsWith('HTTP/'));
  const last = blocks[blocks.length - 1].split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of last.slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(last[0].split(' ')[1]), headers };
}
