import createClient from 'openapi-fetch';
import type { components, paths } from './generated/api-schema';

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

/**
 * The documented HTTP API, typed from `docs/openapi.json` (`web/src/generated`): a route, a
 * parameter or a field the server does not have is a type error here.
 */
export const client = createClient<paths>({ baseUrl: location.origin });
client.use({
  onRequest({ request }) {
    const token = session.token();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
});

/** The sentence of an error body: the public API's `description`, or Nest's `message`. */
function sentence(body: unknown, status: number): string {
  const b = (body ?? {}) as { description?: string; message?: string | string[] };
  const message = Array.isArray(b.message) ? b.message.join('; ') : b.message;
  return b.description ?? message ?? `HTTP ${status}`;
}

/** What a call of `client` answered, or an `ApiError` with the error body's sentence. */
export async function ok<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, sentence(error, response.status));
  return data as T;
}

/**
 * Hands a fetched file to the browser as a download, under the name the API gives it
 * (`Content-Disposition`), else `name`. The route needs the token in a header, which a plain
 * link cannot send, so the file is held in the tab's memory until saved: fine for the archives
 * people fetch from a page; curl streams any size.
 */
export async function saveDownload(
  call: Promise<{ data?: Blob; error?: unknown; response: Response }>,
  name: string,
): Promise<void> {
  const { response } = await call;
  const blob = await ok(call);
  const given = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '');
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = given?.[1] ?? name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

type Schemas = components['schemas'];
export type FleetInstance = Schemas['FleetInstance'];
export type Fleet = Schemas['FleetResponse'];
export type Instance = Schemas['InstanceResponse'];
/** A backup as the a9s Public API V1 lists it. */
export type Backup = Schemas['BackupResponse'];
export type AdminBackup = Schemas['AdminBackupResponse'];
export type Restore = Schemas['RestoreResponse'];
export type BackupsConfig = Schemas['BackupsConfigResponse'];
export type PitrWindow = Schemas['PitrWindowResponse'];
/** How far the queued or running work of an instance has come, as its worker reports it. */
export type Progress = Schemas['ProgressResponse'];
export type ConnectionCheck = Schemas['ConnectionCheckResponse'];
export type Token = Schemas['TokenResponse'];
export type CreatedToken = Schemas['CreatedTokenResponse'];
export type Webhook = Schemas['WebhookResponse'];
export type CreatedWebhook = Schemas['CreatedWebhookResponse'];
export type Delivery = Schemas['DeliveryResponse'];
export type AuditRecord = Schemas['AuditRecordResponse'];
