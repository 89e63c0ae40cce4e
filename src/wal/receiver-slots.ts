import type { Logger } from '@nestjs/common';
import type { Client } from 'pg';
import { connectPostgres } from '../engines/postgresql/pg-tools';
import { slotNames } from '../engines/postgresql/replication-slots';

/** The two slots of one instance's receiver (src/engines/postgresql/replication-slots.ts names them). */
export type ReceiverSlots = ReturnType<typeof slotNames>;

/**
 * Makes the shipped slot if it does not exist (reserving WAL from now on), or anew when the
 * server invalidated it, and the receiving slot a fresh copy of it, so that pg_receivewal starts
 * exactly after what storage has. Says the server's WAL segment size, and why WAL may be missing
 * between what storage has and where receiving starts (null: nothing is).
 */
export async function prepareSlots(
  connectionUrl: string,
  slots: ReceiverSlots,
  log: { logger: Logger; instanceId: string },
): Promise<{ segmentSize: number | null; gapReason: string | null }> {
  const client: Client = await connectPostgres(connectionUrl);
  let gapReason: string | null = null;
  try {
    const size = await client.query<{ setting: string }>(
      "SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'",
    );
    const existing = await client.query<{
      wal_status: string | null;
      restart_lsn: string | null;
    }>('SELECT wal_status, restart_lsn::text FROM pg_replication_slots WHERE slot_name = $1', [
      slots.shipped,
    ]);
    const slot = existing.rows[0];
    if (slot && (slot.wal_status === 'lost' || slot.restart_lsn === null)) {
      // the server removed WAL the slot held (max_slot_wal_keep_size): it is of no use any
      // more; a new one holds WAL from now on, and what lies between is a gap
      gapReason =
        "the instance's replication slot was invalidated (wal_status lost): the server removed WAL before it reached storage, e.g. because of max_slot_wal_keep_size";
      log.logger.warn({
        msg: 'replication slot lost; made anew, the WAL in between is a gap',
        instanceId: log.instanceId,
        slot: slots.shipped,
      });
      await dropSlot(client, slots.shipped);
    }
    await client.query(
      `SELECT pg_create_physical_replication_slot($1, true)
       WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)`,
      [slots.shipped],
    );
    // a receiver of a worker that died may still stream from it: dropSlot ends that one first
    await dropSlot(client, slots.receiving);
    await client.query('SELECT pg_copy_physical_replication_slot($1, $2)', [
      slots.shipped,
      slots.receiving,
    ]);
    return { segmentSize: Number(size.rows[0]?.setting) || null, gapReason };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Lets the server go of the WAL before `lsn`: storage has it. */
export async function advanceShippedSlot(
  connectionUrl: string,
  slots: ReceiverSlots,
  lsn: string,
): Promise<void> {
  const client = await connectPostgres(connectionUrl);
  try {
    await client.query('SELECT pg_replication_slot_advance($1, $2::pg_lsn)', [slots.shipped, lsn]);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops both slots of a deregistered instance, so that the server keeps no WAL for us. */
export async function dropReceiverSlots(instanceId: string, connectionUrl: string): Promise<void> {
  const slots = slotNames(instanceId);
  const client = await connectPostgres(connectionUrl);
  try {
    for (const slot of [slots.receiving, slots.shipped]) await dropSlot(client, slot);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops `slot` if it exists, ending first whatever still streams from it. */
async function dropSlot(client: Client, slot: string): Promise<void> {
  await client.query(
    'SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active',
    [slot],
  );
  await waitInactive(client, slot);
  await client.query(
    'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
}

/** Waits until no process streams from `slot` (a terminated walsender takes a moment to go). */
async function waitInactive(client: Client, slot: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await client.query(
      'SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active',
      [slot],
    );
    if (res.rowCount === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`replication slot ${slot} is still in use by another receiver`);
}
