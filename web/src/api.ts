/** The token lives in this tab only: never in a URL, a cookie or localStorage. */
const TOKEN_KEY = 'backup-manager.token';

/** What the tab's token was found to open, kept beside it so a reload need not ask again. */
const ROLE_KEY = 'backup-manager.role';

export type Role = 'admin' | 'instances';

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  role: (): Role | null => sessionStorage.getItem(ROLE_KEY) as Role | null,
  signIn: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  rememberRole: (role: Role): void => sessionStorage.setItem(ROLE_KEY, role),
  signOut: (): void => {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(ROLE_KEY);
  },
};

/** An answer of the API that was not a success, with the sentence its error body gave. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Calls the documented HTTP API with the tab's token; a 401 signs the tab out. */
export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const token = session.token();
  const res = await fetch(path, {
    ...init,
    headers: {
      ...(init.body ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...init.headers,
    },
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { description?: string; message?: string };
    throw new ApiError(res.status, body.description ?? body.message ?? `HTTP ${res.status}`);
  }
  return (await res.json()) as T;
}

/**
 * Fetches a file with the tab's token and hands it to the browser as a download, under the name
 * the API gives it (`Content-Disposition`), else `name`.
 * The route needs the token in a header, which a plain link cannot send, so the file is held
 * in the tab's memory until saved: fine for the archives people fetch from a page; curl
 * streams any size.
 */
export async function download(path: string, name: string): Promise<void> {
  const token = session.token();
  const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: string; description?: string };
    throw new ApiError(res.status, body.message ?? body.description ?? `HTTP ${res.status}`);
  }
  const given = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '');
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = given?.[1] ?? name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export interface FleetInstance {
  id: string;
  name: string;
  type: string;
  backup_type: string;
  last_success_at: string | null;
  last_failure_at: string | null;
  last_failure_reason: string | null;
  verification_status: string | null;
  verified_at: string | null;
  running: boolean;
  pitr_start: string | null;
  pitr_end: string | null;
}

export interface Fleet {
  workers_alive: number;
  jobs_waiting: number | null;
  instances: FleetInstance[];
}

export interface Instance {
  id: string;
  name: string;
  type: string;
  backup_type: string;
  created_at: string;
}

/** A backup as the a9s Public API V1 lists it. */
export interface Backup {
  id: number;
  backup_id: string;
  size: number;
  status: 'queued' | 'running' | 'done' | 'failed' | 'deleted';
  triggered_at: string;
  started_at: string | null;
  finished_at: string | null;
  downloadable: boolean;
  failure_reason?: string;
}

export interface Restore {
  id: number;
  backup_id: number;
  status: 'queued' | 'running' | 'done' | 'failed';
  triggered_at: string;
  finished_at: string | null;
  failure_reason?: string;
  target_instance_id?: string;
  source_instance_id?: string;
}

export interface BackupsConfig {
  min_backup_count: number;
  retention_time: number;
  min_encryption_key_length: number;
  exclude_from_auto_backup: boolean;
  backup_type: string;
}

/** How far a queued or running backup has come, as its worker reports every second. */
export interface BackupProgress {
  id: number;
  status: 'queued' | 'running';
  bytes_read: number | null;
  bytes_written: number | null;
  expected_bytes: number | null;
}

export interface RestoreProgress {
  id: number;
  backup_id: number;
  status: 'queued' | 'running';
  bytes_read: number | null;
  size: number;
  source_instance_id: string | null;
}

export interface Progress {
  backups: BackupProgress[];
  restores: RestoreProgress[];
}
