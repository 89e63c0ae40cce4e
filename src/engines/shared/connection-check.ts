/** The steps of a connection check, in the order they run. */
export const CHECK_STEPS = [
  'reachable',
  'authenticated',
  'server_version',
  'dump_privilege',
  'replication_privilege',
  'binlog_settings',
] as const;
export type CheckStep = (typeof CHECK_STEPS)[number];

/** The steps only continuous archiving needs (required then, and only then). */
const ARCHIVING_STEPS: readonly CheckStep[] = ['replication_privilege', 'binlog_settings'];

/**
 * `passed` and `failed` as said; `skipped`: not tried because an earlier step failed;
 * `unknown`: the server would not say (e.g. the role may not read its own ACL).
 */
export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'unknown';

export interface CheckItem {
  step: CheckStep;
  status: CheckStatus;
  /** whether backups of this instance need it; `ok` ignores the others */
  required: boolean;
  /** a sentence an operator can act on; never a secret */
  message: string;
}

export interface ConnectionCheckResult {
  /** no required step failed or was skipped: the worker can back this instance up */
  ok: boolean;
  server_version: string | null;
  checks: CheckItem[];
}

export interface CheckOptions {
  /** the whole check's limit (UPSTREAM_TIMEOUT_MS) */
  timeoutMs: number;
  /** continuous archiving needs it; a standard backup does not */
  replicationRequired: boolean;
}

/** What an engine's check reports, step by step; a step reported after the deadline is ignored. */
export class CheckReport {
  private readonly items = new Map<CheckStep, Omit<CheckItem, 'required'>>();
  private closed = false;
  serverVersion: string | null = null;

  constructor(
    private readonly steps: readonly CheckStep[],
    private readonly replicationRequired: boolean,
  ) {}

  pass(step: CheckStep, message: string): void {
    this.record(step, 'passed', message);
  }

  fail(step: CheckStep, message: string): void {
    this.record(step, 'failed', message);
  }

  unknown(step: CheckStep, message: string): void {
    this.record(step, 'unknown', message);
  }

  /** The first step not yet reported: the one under way. */
  pending(): CheckStep | undefined {
    return this.steps.find((s) => !this.items.has(s));
  }

  /** Closes the report: later outcomes are ignored, steps never reached are `skipped`. */
  result(): ConnectionCheckResult {
    this.closed = true;
    const checks = this.steps.map((step): CheckItem => {
      const required = !ARCHIVING_STEPS.includes(step) || this.replicationRequired;
      const item = this.items.get(step) ?? {
        step,
        status: 'skipped' as const,
        message: 'Not checked: an earlier step failed.',
      };
      return { ...item, required };
    });
    return {
      ok: checks.every((c) => !c.required || c.status === 'passed' || c.status === 'unknown'),
      server_version: this.serverVersion,
      checks,
    };
  }

  private record(step: CheckStep, status: CheckStatus, message: string): void {
    if (this.closed || this.items.has(step)) return;
    this.items.set(step, { step, status, message });
  }
}

/** The required steps that failed: why a check is not `ok`. */
export function failedSteps(result: ConnectionCheckResult): CheckItem[] {
  return result.checks.filter((c) => c.required && c.status === 'failed');
}

/**
 * Runs an engine's check within `options.timeoutMs`: when time runs out, the step under way
 * fails with a sentence naming the limit and `work` is told to stop through its signal (it must
 * close its connections and kill its tools then).
 */
export async function runCheck(
  target: string,
  steps: readonly CheckStep[],
  options: CheckOptions,
  work: (report: CheckReport, signal: AbortSignal) => Promise<void>,
): Promise<ConnectionCheckResult> {
  const report = new CheckReport(steps, options.replicationRequired);
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      const step = report.pending();
      if (step) {
        report.fail(
          step,
          step === 'reachable'
            ? `No answer from ${target} within ${options.timeoutMs} ms (UPSTREAM_TIMEOUT_MS): check the host, the port and any firewall between the workers and the instance.`
            : `The server at ${target} stopped answering within ${options.timeoutMs} ms (UPSTREAM_TIMEOUT_MS) while checking ${step.replace('_', ' ')}.`,
        );
      }
      resolve();
    }, options.timeoutMs);
  });
  const done = work(report, abort.signal).catch((err: Error) => {
    const step = report.pending();
    if (step) report.fail(step, `The check stopped unexpectedly: ${err.message}`);
  });
  await Promise.race([done, timedOut]);
  clearTimeout(timer);
  abort.abort();
  return report.result();
}

/** A network failure before any server answered, in a sentence; undefined for other errors. */
export function networkProblem(err: Error & { code?: string }, target: string): string | undefined {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') {
    return `Nothing accepts connections at ${target} (connection refused): check the host and port of connection_url.`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `The host name of ${target} does not resolve: check the host of connection_url.`;
  }
  if (['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) {
    return `No route to ${target} (${code}): check the host, the port and any firewall between the workers and the instance.`;
  }
  if (code === 'ECONNRESET') {
    return `${target} closed the connection at once (ECONNRESET): is it the right port for this database?`;
  }
  return undefined;
}

/** True for an error of the TLS handshake (certificate, name or protocol). */
export function isTlsError(err: Error & { code?: string }): boolean {
  return (
    /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(err.code ?? '') ||
    /certificate|SSL|TLS/i.test(err.message)
  );
}
