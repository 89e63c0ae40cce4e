import { createHash } from 'node:crypto';

/**
 * The two replication slots of a continuous-archiving instance (see WalReceiver): the shipped
 * one holds the server's WAL from the end of what storage has; the receiving one is what
 * pg_receivewal streams from. A base backup creates the shipped one when it is missing, so that
 * the WAL after it is held from its start even before a receiver first runs.
 */
export function slotNames(instanceId: string): { shipped: string; receiving: string } {
  const base = `bm_${createHash('sha1').update(instanceId).digest('hex').slice(0, 24)}`;
  return { shipped: base, receiving: `${base}_rx` };
}
