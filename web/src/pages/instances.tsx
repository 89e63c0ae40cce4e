import { useEffect, useState } from 'preact/hooks';
import { Backup, client, ok, saveDownload } from '../api';
import { OnUnauthorized, refusal, useLoad } from '../parts/use-load';
import { ConfigForm } from '../parts/config-form';
import { BackupsTable } from '../parts/backups-table';
import { RecentBackupsChart } from '../parts/chart';
import { PitrSection } from '../parts/pitr';
import { RestoresTable } from '../parts/restores-table';
import { PageHeading } from '../parts/page-heading';
import { FleetTable } from '../parts/fleet-table';
import { byUrgency } from '../parts/urgency';
import {
  Asked,
  RestoreBody,
  RestoreDialogs,
  askBackup,
  askMoment,
  busy,
} from '../parts/restore-dialogs';

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
      const message = refusal(err, onUnauthorized);
      if (message !== null) setActionError(message);
    }
  }

  const restore = (body: RestoreBody) =>
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
      <RestoreDialogs
        asked={asked}
        id={id}
        name={name}
        candidates={instances.data?.filter((i) => i.id !== id && i.type === instance?.type) ?? null}
        onRestore={(body) => void restore(body)}
        onCancel={() => setAsked(null)}
      />
      <h2>Backups</h2>
      <RecentBackupsChart backups={data} />
      <BackupsTable
        backups={data}
        progress={progress.data}
        busy={working}
        onDownload={(b) => void downloadBackup(b)}
        onRestore={(b) => setAsked(askBackup(b))}
        onFork={(b) => setAsked({ kind: 'fork', backupId: b.id })}
      />
      {instance?.backup_type === 'continuous_archiving' && (
        <PitrSection
          id={id}
          load={(signal) => ok(client.GET('/v1/instances/{instance_id}/pitr', { ...path, signal }))}
          baseBackups={data}
          onUnauthorized={onUnauthorized}
          onRestore={(moment) => setAsked(askMoment(moment))}
        />
      )}
      <h2>Restores</h2>
      <RestoresTable restores={restores.data ?? []} progress={progress.data} nameOf={nameOf} />
      <ConfigForm id={id} onUnauthorized={onUnauthorized} />
    </section>
  );
}
