import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { ConnectionCheck, Instance, client, ok } from '../api';
import { age } from '../parts/age';
import { BackupsTable } from '../parts/backups-table';
import { RecentBackupsChart } from '../parts/chart';
import { TypedConfirm } from '../parts/confirm';
import { ConnectionCheckResult } from '../parts/connection-check';
import { FieldError, describedBy, fieldOf } from '../parts/field-errors';
import { PageHeading } from '../parts/page-heading';
import { PitrSection } from '../parts/pitr';
import { RestoresTable } from '../parts/restores-table';
import { OnUnauthorized, refusal, useLoad } from '../parts/use-load';
import {
  Asked,
  RestoreBody,
  RestoreDialogs,
  askBackup,
  askMoment,
  busy,
} from '../parts/restore-dialogs';

type Dialog = Asked | { kind: 'deregister' } | { kind: 'edit' };

/** The newest verification of one backup, read again while it runs. */
function Verification({
  id,
  number,
  onUnauthorized,
}: {
  id: string;
  number: number;
  onUnauthorized: OnUnauthorized;
}) {
  const { data } = useLoad(
    `verification ${id} ${number}`,
    (signal) =>
      ok(
        client.GET('/admin/v1/instances/{id}/backups/{number}', {
          params: { path: { id, number } },
          signal,
        }),
      ),
    onUnauthorized,
    (b) => (b.verification?.status === 'running' ? 1500 : null),
  );
  const v = data?.verification;
  return (
    <p class="verification" role="status">
      Verification of backup {number}:{' '}
      {!data ? (
        '…'
      ) : !v ? (
        'not verified yet'
      ) : (
        <>
          <strong class={v.status === 'failed' ? 'late' : undefined}>{v.status}</strong>
          {v.status === 'verified' &&
            ` ${age(v.verified_at!)} ago: ${v.tables} tables, ${v.rows} rows restored in a scratch server`}
          {v.failure_reason && <span class="reason"> {v.failure_reason}</span>}
        </>
      )}
    </p>
  );
}

/** Name and connection of an instance; the new connection is checked before it is saved. */
function EditConnection({
  instance,
  onSaved,
  onCancel,
  onUnauthorized,
}: {
  instance: Instance;
  onSaved: () => void;
  onCancel: () => void;
  onUnauthorized: OnUnauthorized;
}) {
  const [name, setName] = useState(instance.name);
  const [url, setUrl] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);

  async function save(e: Event) {
    e.preventDefault();
    setErrors({});
    setSaving(true);
    try {
      await ok(
        client.PATCH('/admin/v1/instances/{id}', {
          params: { path: { id: instance.id }, query: { check: 'true' } },
          body: {
            ...(name !== instance.name ? { name } : {}),
            ...(url !== '' ? { connection_url: url } : {}),
          },
        }),
      );
      setUrl('');
      onSaved();
    } catch (err) {
      const message = refusal(err, onUnauthorized);
      if (message === null) return;
      setErrors({ [fieldOf(message, ['name', 'connection_url'], 'connection_url')]: message });
    } finally {
      setSaving(false);
    }
  }

  return (
    <form class="dialog" aria-labelledby="edit-title" onSubmit={(e) => void save(e)}>
      <h2 id="edit-title">Edit the connection</h2>
      <label for="edit-name">Name</label>
      <input
        id="edit-name"
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
        aria-describedby={describedBy('name', errors)}
      />
      <FieldError field="name" errors={errors} />
      <label for="connection_url">
        New connection URL (empty: keep the stored one; never shown)
      </label>
      <input
        id="connection_url"
        type="password"
        autocomplete="off"
        value={url}
        onInput={(e) => setUrl(e.currentTarget.value)}
        aria-describedby={describedBy('connection_url', errors)}
      />
      <FieldError field="connection_url" errors={errors} />
      <FieldError field="form" errors={errors} />
      <div class="buttons">
        <button type="submit" disabled={saving}>
          {saving ? 'Checking…' : 'Check and save'}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * One instance as the operator sees it from the fleet, and what the operator can do with it:
 * back it up, verify, check its connection, restore or fork (the typed name confirms), edit its
 * connection, deregister it.
 */
export function AdminInstancePage({
  id,
  onUnauthorized,
}: {
  id: string;
  onUnauthorized: OnUnauthorized;
}) {
  const location = useLocation();
  const path = { params: { path: { id } } };
  const instance = useLoad(
    `instance ${id}`,
    (signal) => ok(client.GET('/admin/v1/instances/{id}', { ...path, signal })),
    onUnauthorized,
  );
  const { data, error, reload } = useLoad(
    `backups ${id}`,
    (signal) =>
      ok(
        client.GET('/admin/v1/backups', {
          params: { query: { instance_id: id, limit: 50 } },
          signal,
        }),
      ),
    onUnauthorized,
    (b) => (busy(b) ? 1500 : null),
  );
  const restores = useLoad(
    `restores ${id}`,
    (signal) => ok(client.GET('/admin/v1/instances/{id}/restores', { ...path, signal })),
    onUnauthorized,
    (r) => (busy(r) ? 1500 : null),
  );
  const progress = useLoad(
    `progress ${id}`,
    (signal) => ok(client.GET('/admin/v1/instances/{id}/progress', { ...path, signal })),
    onUnauthorized,
    (p) => (p.backups.length + p.restores.length > 0 ? 1000 : null),
  );
  // every instance, for the names of fork targets and sources
  const everyone = useLoad(
    'instances',
    (signal) => ok(client.GET('/admin/v1/instances', { signal })),
    onUnauthorized,
  );
  const working = busy(data ?? []) || busy(restores.data ?? []);
  const reloadProgress = progress.reload;
  useEffect(() => {
    if (working) reloadProgress();
  }, [working, reloadProgress]);

  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [check, setCheck] = useState<ConnectionCheck | null>(null);
  const [checking, setChecking] = useState(false);
  /** the backup last asked to be verified, and how many times: each ask reads its state anew */
  const [verifying, setVerifying] = useState<{ number: number; asked: number } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  /** Runs one of the page's actions; a 401 signs out, any other refusal is shown. */
  async function act(action: () => Promise<void>) {
    setActionError(null);
    setNotice(null);
    setDialog(null);
    try {
      await action();
    } catch (err) {
      const message = refusal(err, onUnauthorized);
      if (message !== null) setActionError(message);
    }
  }

  const backUpNow = () =>
    act(async () => {
      await ok(client.POST('/admin/v1/instances/{id}/backups', path));
      reload();
    });
  const verify = (number: number) =>
    act(async () => {
      await ok(
        client.POST('/admin/v1/instances/{id}/backups/{number}/verify', {
          params: { path: { id, number } },
        }),
      );
      setVerifying((v) => ({ number, asked: (v?.asked ?? 0) + 1 }));
    });
  const checkConnection = () =>
    act(async () => {
      setCheck(null);
      setChecking(true);
      try {
        setCheck(await ok(client.POST('/admin/v1/instances/{id}/check', path)));
      } finally {
        setChecking(false);
      }
    });
  const restore = (body: RestoreBody) =>
    act(async () => {
      await ok(client.POST('/admin/v1/instances/{id}/restores', { ...path, body }));
      restores.reload();
    });
  const deregister = () =>
    act(async () => {
      await ok(client.DELETE('/admin/v1/instances/{id}', path));
      location.route('/ui/');
    });

  const failed = error ?? instance.error;
  if (failed)
    return (
      <p class="error" role="alert">
        {failed}
      </p>
    );
  if (!data || !instance.data) return <p>Loading the instance…</p>;
  const self = instance.data;
  const nameOf = (other: string) => everyone.data?.find((i) => i.id === other)?.name ?? other;
  const newestDone = data.find((b) => b.status === 'done');
  const verified = verifying?.number ?? newestDone?.id;
  return (
    <section>
      <p>
        <a href="/ui/">← Fleet</a>
      </p>
      <PageHeading>
        {self.name} <code>{id}</code>
      </PageHeading>
      <p>
        {self.type}, {self.backup_type.replace('_', ' ')} backups, registered {age(self.created_at)}{' '}
        ago.
      </p>
      <div class="actions" role="group" aria-label="Actions">
        <button type="button" onClick={() => void backUpNow()} disabled={working}>
          Back up now
        </button>
        <button
          type="button"
          onClick={() => newestDone && void verify(newestDone.id)}
          disabled={!newestDone}
          title={newestDone ? undefined : 'No done backup to verify yet'}
        >
          Verify now
        </button>
        <button type="button" onClick={() => void checkConnection()} disabled={checking}>
          {checking ? 'Checking…' : 'Check connection'}
        </button>
        <button type="button" onClick={() => setDialog({ kind: 'edit' })}>
          Edit connection
        </button>
        <button type="button" class="danger" onClick={() => setDialog({ kind: 'deregister' })}>
          Deregister
        </button>
      </div>
      {actionError && (
        <p class="error" role="alert">
          {actionError}
        </p>
      )}
      {notice && <p role="status">{notice}</p>}
      {check && <ConnectionCheckResult check={check} />}
      {verified !== undefined && (
        <Verification
          key={`${verified} ${verifying?.asked ?? 0}`}
          id={id}
          number={verified}
          onUnauthorized={onUnauthorized}
        />
      )}
      {dialog?.kind === 'edit' && (
        <EditConnection
          instance={self}
          onUnauthorized={onUnauthorized}
          onCancel={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            setNotice('Saved: the connection check passed.');
            instance.reload();
          }}
        />
      )}
      {dialog?.kind === 'deregister' && (
        <TypedConfirm
          title={`Deregister ${self.name}`}
          name={self.name}
          action="Deregister"
          onConfirm={() => void deregister()}
          onCancel={() => setDialog(null)}
        >
          <p>
            <strong>{self.name}</strong> (<code>{id}</code>) is no longer backed up, and its backups
            are removed by retention. Its data on the server is not touched.
          </p>
        </TypedConfirm>
      )}
      <RestoreDialogs
        asked={dialog?.kind === 'restore' || dialog?.kind === 'fork' ? dialog : null}
        id={id}
        name={self.name}
        candidates={everyone.data?.filter((i) => i.id !== id && i.type === self.type) ?? null}
        onRestore={(body) => void restore(body)}
        onCancel={() => setDialog(null)}
      />
      <h2>Backups</h2>
      <RecentBackupsChart backups={data} />
      <BackupsTable
        backups={data}
        progress={progress.data}
        busy={working}
        onRestore={(b) => setDialog(askBackup(b))}
        onFork={(b) => setDialog({ kind: 'fork', backupId: b.id })}
        onVerify={(b) => void verify(b.id)}
      />
      {self.backup_type === 'continuous_archiving' && (
        <PitrSection
          id={id}
          load={(signal) => ok(client.GET('/admin/v1/instances/{id}/pitr', { ...path, signal }))}
          baseBackups={data}
          onUnauthorized={onUnauthorized}
          onRestore={(moment) => setDialog(askMoment(moment))}
        />
      )}
      <h2>Restores</h2>
      <RestoresTable restores={restores.data ?? []} progress={progress.data} nameOf={nameOf} />
    </section>
  );
}
