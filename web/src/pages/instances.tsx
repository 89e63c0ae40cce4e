import { useEffect, useState } from 'preact/hooks';
import { ApiError, Backup, client, ok, saveDownload } from '../api';
import { OnUnauthorized, useLoad } from '../parts/use-load';
import { ConfigForm } from '../parts/config-form';
import { age } from '../parts/age';
import { BackupsTable } from '../parts/backups-table';
import { RecentBackupsChart } from '../parts/chart';
import { TypedConfirm } from '../parts/confirm';
import { ForkDialog } from '../parts/fork-dialog';
import { PitrSection } from '../parts/pitr';
import { RestoresTable } from '../parts/restores-table';
import { PageHeading } from '../parts/page-heading';
import { FleetTable } from '../parts/fleet-table';
import { byUrgency } from '../parts/urgency';
import { Asked, busy } from '../parts/jobs';

/** The instances an access token opens, most urgent first, with their newest backups. */
export function MyInstancesPage({ onUnauthorized }: { onUnauthorized: OnUnauthorized }) {
  const { data, error, at } = useLoad(
    'own fleet',
    (signal) => ok(client.GET('/v1/fleet', { signal })),
    onUnauthorized,
    (f) => (f.some((i) => i.running) ? 2000 : null),
  );
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!data) return <p>Loading your instances…</p>;
  return (
    <section>
      <PageHeading>Your instances</PageHeading>
      {data.length === 0 ? (
        <p>This token opens no registered instance.</p>
      ) : (
        <FleetTable
          instances={byUrgency(data, at)}
          caption="Your instances, most urgent first"
          now={at}
        />
      )}
    </section>
  );
}

/** One instance's backups, for a token granted it: newest first, and a backup on request. */
export function InstancePage({
  id,
  onUnauthorized,
}: {
  id: string;
  onUnauthorized: OnUnauthorized;
}) {
  const path = { params: { path: { instance_id: id } } };
  // while a backup is queued or running the list is read again every 1.5 s
  const { data, error, reload } = useLoad(
    `backups ${id}`,
    (signal) => ok(client.GET('/v1/instances/{instance_id}/backups', { ...path, signal })),
    onUnauthorized,
    (b) => (busy(b) ? 1500 : null),
  );
  const restores = useLoad(
    `restores ${id}`,
    (signal) => ok(client.GET('/v1/instances/{instance_id}/restores', { ...path, signal })),
    onUnauthorized,
    (r) => (busy(r) ? 1500 : null),
  );
  const instances = useLoad(
    'instances',
    (signal) => ok(client.GET('/v1/instances', { signal })),
    onUnauthorized,
  );
  // how far the work under way has come: read every second while there is any
  const progress = useLoad(
    `progress ${id}`,
    (signal) => ok(client.GET('/v1/instances/{instance_id}/progress', { ...path, signal })),
    onUnauthorized,
    (p) => (p.backups.length + p.restores.length > 0 ? 1000 : null),
  );
  const working = busy(data ?? []) || busy(restores.data ?? []);
  const reloadProgress = progress.reload;
  useEffect(() => {
    if (working) reloadProgress();
  }, [working, reloadProgress]);
  const instance = instances.data?.find((i) => i.id === id);
  const name = instance?.name ?? id;
  const nameOf = (other: string) => instances.data?.find((i) => i.id === other)?.name ?? other;
  const [actionError, setActionError] = useState<string | null>(null);
  const [asked, setAsked] = useState<Asked | null>(null);

  /** Runs one of the page's actions; a 401 signs out, any other refusal is shown. */
  async function act(action: () => Promise<void>) {
    setActionError(null);
    setAsked(null);
    try {
      await action();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onUnauthorized(err.message);
      else setActionError(err instanceof Error ? err.message : String(err));
    }
  }

  const restore = (
    body:
      | { backup_id: number }
      | { point_in_time: string }
      | { backup_id: number; target_instance_id: string },
  ) =>
    act(async () => {
      await ok(client.POST('/v1/instances/{instance_id}/restores', { ...path, body }));
      restores.reload();
    });
  const downloadBackup = (b: Backup) =>
    act(() =>
      saveDownload(
        client.GET('/v1/instances/{instance_id}/backups/{id}/download', {
          params: { path: { instance_id: id, id: b.id } },
          parseAs: 'blob',
        }),
        `${id}-backup-${b.id}.tgz.enc`,
      ),
    );
  const backUpNow = () =>
    act(async () => {
      await ok(client.POST('/v1/instances/{instance_id}/backups', path));
      reload();
    });

  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!data) return <p>Loading backups…</p>;
  return (
    <section>
      <p>
        <a href="/ui/">← Your instances</a>
      </p>
      <PageHeading>
        {name} <code>{id}</code>
      </PageHeading>
      <p class="actions">
        <button type="button" onClick={() => void backUpNow()} disabled={working}>
          Back up now
        </button>
      </p>
      {actionError && (
        <p class="error" role="alert">
          {actionError}
        </p>
      )}
      {asked?.kind === 'restore' && (
        <TypedConfirm
          title={`Restore ${name}`}
          name={name}
          action={
            'backup_id' in asked.body
              ? `Restore backup ${asked.body.backup_id}`
              : 'Restore to this moment'
          }
          onConfirm={() => void restore(asked.body)}
          onCancel={() => setAsked(null)}
        >
          <p>
            Restore {asked.what} into <strong>{name}</strong> (<code>{id}</code>)? The instance's
            current data is replaced.
          </p>
        </TypedConfirm>
      )}
      {asked?.kind === 'fork' && (
        <ForkDialog
          backupId={asked.backupId}
          source={name}
          candidates={
            instances.data?.filter((i) => i.id !== id && i.type === instance?.type) ?? null
          }
          onFork={(target) =>
            void restore({ backup_id: asked.backupId, target_instance_id: target.id })
          }
          onCancel={() => setAsked(null)}
        />
      )}
      <h2>Backups</h2>
      <RecentBackupsChart backups={data} />
      <BackupsTable
        backups={data}
        progress={progress.data}
        busy={working}
        onDownload={(b) => void downloadBackup(b)}
        onRestore={(b) =>
          setAsked({
            kind: 'restore',
            what: `backup ${b.id} (taken ${age(b.triggered_at)} ago)`,
            body: { backup_id: b.id },
          })
        }
        onFork={(b) => setAsked({ kind: 'fork', backupId: b.id })}
      />
      {instance?.backup_type === 'continuous_archiving' && (
        <PitrSection
          id={id}
          load={(signal) => ok(client.GET('/v1/instances/{instance_id}/pitr', { ...path, signal }))}
          baseBackups={data}
          onUnauthorized={onUnauthorized}
          onRestore={(moment) =>
            setAsked({
              kind: 'restore',
              what: `the state of ${moment.toLocaleString()} (${moment.toISOString()})`,
              body: { point_in_time: moment.toISOString() },
            })
          }
        />
      )}
      <h2>Restores</h2>
      <RestoresTable restores={restores.data ?? []} progress={progress.data} nameOf={nameOf} />
      <ConfigForm id={id} onUnauthorized={onUnauthorized} />
    </section>
  );
}
