import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
