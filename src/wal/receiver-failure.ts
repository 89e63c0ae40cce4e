/**
 * What an operator reads when a receiver fails: the two misconfigurations of a new
 * continuous-archiving instance said as what to do, with the server's own words after; any
 * other failure as it came.
 */
export function receiverFailure(message: string, role: string): string {
  if (
    /must be superuser or replication role|permission denied to (use|create) replication slots|REPLICATION attribute/i.test(
      message,
    )
  ) {
    return `role "${role}" may not stream the write-ahead log: give it the REPLICATION attribute (ALTER ROLE "${role}" REPLICATION) — ${message}`;
  }
  if (/no pg_hba\.conf entry for replication connection/i.test(message)) {
    return `the instance's pg_hba.conf has no replication entry for role "${role}" from the workers: add one (e.g. "host replication ${role} <the workers' network> scram-sha-256") and reload — ${message}`;
  }
  return message;
}
