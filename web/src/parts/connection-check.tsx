import { ConnectionCheck } from '../api';

/** The steps of a connection check, each passed, failed or skipped, with what it found. */
export function ConnectionCheckResult({ check }: { check: ConnectionCheck }) {
  return (
    <div class="check" role="status">
      <p>
        <strong>{check.ok ? 'Connection works' : 'Connection check failed'}</strong>
        {check.server_version && ` (server ${check.server_version})`}
      </p>
      <ul>
        {check.checks.map((c) => (
          <li key={c.step} class={c.status === 'failed' ? 'late' : undefined}>
            {c.step.replace('_', ' ')}: {c.status}
            {c.message && ` — ${c.message}`}
          </li>
        ))}
      </ul>
    </div>
  );
}
