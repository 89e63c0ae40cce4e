import { TableBox } from '../parts/table-box';
import { useState } from 'preact/hooks';
import { CreatedWebhook, Webhook, client, ok } from '../api';
import { age } from '../parts/age';
import { TypedConfirm } from '../parts/confirm';
import { FieldError, describedBy, fieldOf } from '../parts/field-errors';
import { PageHeading } from '../parts/page-heading';
import { ShownOnce } from '../parts/shown-once';
import { OnUnauthorized, refusal, useLoad } from '../parts/use-load';

type WebhookEvent = Webhook['events'][number];
const EVENTS: WebhookEvent[] = [
  'backup.done',
  'backup.failed',
  'restore.done',
  'restore.failed',
  'verification.failed',
  'wal.gap',
  'wal.receiver_failed',
];

/** Webhooks: create one (its signing secret shown once), list them, remove one. */
export function WebhooksPage({ onUnauthorized }: { onUnauthorized: OnUnauthorized }) {
  const { data, error, reload } = useLoad(
    'webhooks',
    (signal) => ok(client.GET('/admin/v1/webhooks', { signal })),
    onUnauthorized,
  );
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(['backup.failed', 'restore.failed']);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const [removing, setRemoving] = useState<Webhook | null>(null);

  async function create(e: Event) {
    e.preventDefault();
    setErrors({});
    setCreated(null);
    try {
      setCreated(await ok(client.POST('/admin/v1/webhooks', { body: { url, events } })));
      setUrl('');
      reload();
    } catch (err) {
      const message = refusal(err, onUnauthorized);
      if (message === null) return;
      setErrors({ [fieldOf(message, ['url', 'events'], 'url')]: message });
    }
  }

  async function remove(w: Webhook) {
    setRemoving(null);
    try {
      await ok(client.DELETE('/admin/v1/webhooks/{id}', { params: { path: { id: w.id } } }));
      reload();
    } catch (err) {
      const message = refusal(err, onUnauthorized);
      if (message !== null) setErrors({ form: message });
    }
  }

  return (
    <section>
      <PageHeading>Webhooks</PageHeading>
      {created?.secret && <ShownOnce label="The signing secret" secret={created.secret} />}
      <form class="dialog" aria-labelledby="create-title" onSubmit={(e) => void create(e)}>
        <h2 id="create-title">Create a webhook</h2>
        <label for="webhook-url">Receiver URL</label>
        <input
          id="webhook-url"
          type="url"
          required
          placeholder="https://hooks.example.com/backups"
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
          aria-describedby={describedBy('url', errors)}
        />
        <FieldError field="url" errors={errors} />
        <fieldset aria-describedby={describedBy('events', errors)}>
          <legend>Events</legend>
          {EVENTS.map((ev) => (
            <label key={ev} class="check-option">
              <input
                type="checkbox"
                checked={events.includes(ev)}
                onChange={(e) =>
                  setEvents(
                    e.currentTarget.checked ? [...events, ev] : events.filter((x) => x !== ev),
                  )
                }
              />{' '}
              {ev}
            </label>
          ))}
        </fieldset>
        <FieldError field="events" errors={errors} />
        <FieldError field="form" errors={errors} />
        <div class="buttons">
          <button type="submit">Create</button>
        </div>
      </form>
      {removing && (
        <TypedConfirm
          title="Remove the webhook"
          name={removing.url}
          action="Remove"
          onConfirm={() => void remove(removing)}
          onCancel={() => setRemoving(null)}
        >
          <p>Nothing more is sent to it, and its deliveries are forgotten.</p>
        </TypedConfirm>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && data.length === 0 && <p>No webhook yet.</p>}
      {data && data.length > 0 && (
        <TableBox label="Webhooks">
          <table class="webhooks">
            <caption class="visually-hidden">Webhooks</caption>
            <thead>
              <tr>
                <th scope="col">Receiver</th>
                <th scope="col">Events</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.map((w) => (
                <tr key={w.id}>
                  <td>
                    <a href={`/ui/webhooks/${encodeURIComponent(w.id)}`}>{w.url}</a>
                  </td>
                  <td>{w.events.join(', ')}</td>
                  <td>{age(w.created_at)} ago</td>
                  <td>
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Remove ${w.url}`}
                      onClick={() => setRemoving(w)}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
    </section>
  );
}

/** One webhook's deliveries, each with its attempts, and a test ping on request. */
export function WebhookPage({
  id,
  onUnauthorized,
}: {
  id: string;
  onUnauthorized: OnUnauthorized;
}) {
  const path = { params: { path: { id } } };
  const webhook = useLoad(
    `webhook ${id}`,
    (signal) => ok(client.GET('/admin/v1/webhooks/{id}', { ...path, signal })),
    onUnauthorized,
  );
  const deliveries = useLoad(
    `deliveries ${id}`,
    (signal) => ok(client.GET('/admin/v1/webhooks/{id}/deliveries', { ...path, signal })),
    onUnauthorized,
    // a delivery under way is read again until it ends
    (d) => (d.some((x) => x.status === 'pending') ? 1000 : null),
  );
  const [pingError, setPingError] = useState<string | null>(null);

  async function ping() {
    setPingError(null);
    try {
      await ok(client.POST('/admin/v1/webhooks/{id}/ping', path));
      deliveries.reload();
    } catch (err) {
      const message = refusal(err, onUnauthorized);
      if (message !== null) setPingError(message);
    }
  }

  const failed = webhook.error ?? deliveries.error;
  if (failed)
    return (
      <p class="error" role="alert">
        {failed}
      </p>
    );
  if (!webhook.data || !deliveries.data) return <p>Loading the webhook…</p>;
  return (
    <section>
      <p>
        <a href="/ui/webhooks">← Webhooks</a>
      </p>
      <PageHeading>Webhook {webhook.data.url}</PageHeading>
      <p>Events: {webhook.data.events.join(', ')}</p>
      <p class="actions">
        <button type="button" onClick={() => void ping()}>
          Send a test ping
        </button>
      </p>
      {pingError && (
        <p class="error" role="alert">
          {pingError}
        </p>
      )}
      <h2>Deliveries</h2>
      {deliveries.data.length === 0 && <p>Nothing was sent yet.</p>}
      {deliveries.data.length > 0 && (
        <TableBox label="Deliveries, newest first">
          <table class="deliveries">
            <caption class="visually-hidden">Deliveries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.map((d) => (
                <tr key={d.id}>
                  <td>{d.event}</td>
                  <td class={d.status === 'failed' ? 'late' : undefined}>{d.status}</td>
                  <td>
                    <ol class="attempts">
                      {d.attempt_log.map((a) => (
                        <li key={a.at}>
                          {new Date(a.at).toLocaleTimeString()}:{' '}
                          {a.status_code !== null ? `HTTP ${a.status_code}` : a.error} in{' '}
                          {a.duration_ms} ms
                        </li>
                      ))}
                    </ol>
                    {d.next_attempt_at && d.status === 'pending' && (
                      <div class="reason">
                        next attempt {new Date(d.next_attempt_at).toLocaleTimeString()}
                      </div>
                    )}
                  </td>
                  <td>{age(d.created_at)} ago</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
    </section>
  );
}
