import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { baseEnvironment, lastLines } from './dump-process';
import { RestoreFailedError } from './restore-process';

const PREFIX = 'bm-private-';
const OWNER = 'owner.pid';
const SERVER = 'server.pid';

/**
 * A private working directory (mode 0700) for a restore's server and files. It names the
 * worker process that owns it, so that a later worker start removes it, and stops the server
 * that runs in it, once that process is gone (a worker killed mid-restore leaves both behind:
 * its children outlive it).
 */
export function makePrivateDir(kind: string, parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, `${PREFIX}${kind}-`));
  writeFileSync(join(dir, OWNER), String(process.pid));
  return dir;
}

/**
 * Creates `<dir>/data` (mode 0700) for a server's files, and gives both to `owner` when the
 * server runs as another user than the worker.
 */
export function makeDataDir(dir: string, owner: Owner | null): string {
  const data = join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(data, owner.uid, owner.gid);
  }
  return data;
}

/** Records the server started in `dir`, in a process group of its own (spawned detached). */
export function recordServer(dir: string, pid: number | undefined): void {
  if (pid !== undefined) writeFileSync(join(dir, SERVER), String(pid));
}

/**
 * Removes the private directories under `parent` whose owning process is gone, first killing
 * the process group of the server recorded there (when its command line still names the
 * directory: a pid may have been reused). Returns the directories removed.
 */
export function removeAbandonedPrivateDirs(parent = tmpdir()): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(parent, name);
    const owner = readPid(join(dir, OWNER));
    if (owner !== null && alive(owner)) continue;
    const server = readPid(join(dir, SERVER));
    if (server !== null && commandLine(server).includes(dir)) {
      try {
        process.kill(-server, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The system user a private server runs as. */
export interface Owner {
  uid: number;
  gid: number;
}

/**
 * `user` when the worker runs as root (database servers refuse to run as root), else null: the
 * server then runs as the worker's own user.
 */
export function serverUser(user: string, server: string): Owner | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) {
    throw new RestoreFailedError(
      `the worker runs as root and there is no ${user} user to run a private ${server} server as; run the worker as another user`,
    );
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Runs a tool of a private server (as `owner`, when given) to its end and returns its stdout;
 * RestoreFailedError with the end of its stderr when it fails, the spawn error itself (ENOENT:
 * not installed) when it cannot start.
 */
export async function runTool(
  command: string,
  args: string[],
  owner: Owner | null = null,
): Promise<string> {
  const child = spawn(command, args, {
    env: baseEnvironment(),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const [code] = (await Promise.race([
    once(child, 'close'),
    once(child, 'error').then(([err]) => {
      throw err as Error;
    }),
  ])) as [number | null];
  if (code !== 0) {
    throw new RestoreFailedError(`${basename(command)} failed: ${lastLines(stderr, 2)}`);
  }
  return stdout;
}
