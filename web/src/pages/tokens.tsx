import { TableBox } from '../parts/table-box';
import { useState } from 'preact/hooks';
import { CreatedToken, Token, client, ok } from '../api';
import { age } from '../parts/age';
import { TypedConfirm } from '../parts/confirm';
import { FieldError, describedBy, fieldOf } from '../parts/field-errors';
import { PageHeading } from '../parts/page-heading';
import { ShownOnce } from '../parts/shown-once';
import { OnUnauthorized, refusal, useLoad } from '../parts/use-load';

/** Access tokens: mint one (its secret shown once), see which instances each opens, revoke. */
export function TokensPage({ onUnauthorized }: { onUnauthorized: OnUnauthorized }) {
  const { data, error, reload } = useLoad(
    'tokens',
    (signal) => ok(client.GET('/admin/v1/tokens', { signal })),
    onUnauthorized,
  );
  const [name, setName] = useState('');
  const [instances, setInstances] = useState('');
  const [expires, setExpires] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [minted, setMinted] = useState<CreatedToken | null>(null);
  const [revoking, setRevoking] = useState<Token | null>(null);

  async function mint(e: Event) {
    e.preventDefault();
    setErrors({});
    setMinted(null);
    try {
      const created = await ok(
        client.POST('/admin/v1/tokens', {
          body: {
            name,
            instances: instances
              .split(/[\s,]+/)
              .map((s) => s.trim())
              .filter(Boolean),
            ...(expires ? { expires_at: new Date(expires).toISOString() } : {}),
          },
        }),
      );
      setMinted(created);
      setName('');
      setInstances('');
      setExpires('');
      reload();
    } catch (err) {
      const message = refusal(err, onUnauthorized);
      if (message === null) return;
      setErrors({ [fieldOf(message, ['name', 'instances', 'expires_at'])]: message });
    }
  }

  async function revoke(token: Token) {
    setRevoking(null);
    try {
      await ok(client.DELETE('/admin/v1/tokens/{id}', { params: { path: { id: token.id } } }));
      reload();
    } catch (err) {
      const message = refusal(err, onUnauthorized);
      if (message !== null) setErrors({ form: message });
    }
  }

  return (
    <section>
      <PageHeading>Access tokens</PageHeading>
      {minted && <ShownOnce label={`The token "${minted.name}"`} secret={minted.token} />}
      <form class="dialog" aria-labelledby="mint-title" onSubmit={(e) => void mint(e)}>
        <h2 id="mint-title">Mint a token</h2>
        <label for="token-name">Name (who or what holds it)</label>
        <input
          id="token-name"
          required
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          aria-describedby={describedBy('name', errors)}
        />
        <FieldError field="name" errors={errors} />
        <label for="token-instances">
          Instances it opens (ids, separated by commas; * for all)
        </label>
        <input
          id="token-instances"
          required
          value={instances}
          onInput={(e) => setInstances(e.currentTarget.value)}
          aria-describedby={describedBy('instances', errors)}
        />
        <FieldError field="instances" errors={errors} />
        <label for="token-expires">Expires (empty: never)</label>
        <input
          id="token-expires"
          type="datetime-local"
          value={expires}
          onInput={(e) => setExpires(e.currentTarget.value)}
          aria-describedby={describedBy('expires_at', errors)}
        />
        <FieldError field="expires_at" errors={errors} />
        <FieldError field="form" errors={errors} />
        <div class="buttons">
          <button type="submit">Mint</button>
        </div>
      </form>
      {revoking && (
        <TypedConfirm
          title={`Revoke ${revoking.name}`}
          name={revoking.name}
          action="Revoke"
          onConfirm={() => void revoke(revoking)}
          onCancel={() => setRevoking(null)}
        >
          <p>Whoever holds it can no longer read or act on its instances. This cannot be undone.</p>
        </TypedConfirm>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <TableBox label="Access tokens, newest first">
          <table class="tokens">
            <caption class="visually-hidden">Access tokens, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Instances</th>
                <th scope="col">Minted</th>
                <th scope="col">Expires</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.map((t) => (
                <tr key={t.id}>
                  <td>
                    {t.name}
                    <div class="reason">
                      <code>{t.id}</code>
                    </div>
                  </td>
                  <td>{t.instances.join(', ')}</td>
                  <td>{age(t.created_at)} ago</td>
                  <td>{t.expires_at ? new Date(t.expires_at).toLocaleString() : 'never'}</td>
                  <td>{t.revoked_at ? `revoked ${age(t.revoked_at)} ago` : 'active'}</td>
                  <td>
                    {!t.revoked_at && (
                      <button
                        type="button"
                        class="danger"
                        aria-label={`Revoke ${t.name}`}
                        onClick={() => setRevoking(t)}
                      >
                        Revoke
                      </button>
                    )}
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
