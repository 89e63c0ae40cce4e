import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { client, ok } from '../api';
import { FieldError, describedBy, fieldOf } from '../parts/field-errors';
import { PageHeading } from '../parts/page-heading';
import { OnUnauthorized, refusal } from '../parts/use-load';

const FIELDS = ['id', 'name', 'type', 'connection_url', 'backup_type'];
type Type = 'postgresql' | 'mariadb' | 'redis';
type BackupType = 'standard' | 'continuous_archiving';

/**
 * Registers an instance: the connection is checked first (reachable, authenticated, allowed to
 * dump), and nothing is saved unless it works; a refusal is shown at the field it is about.
 */
export function RegisterPage({ onUnauthorized }: { onUnauthorized: OnUnauthorized }) {
  const location = useLocation();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [type, setType] = useState<Type>('postgresql');
  const [backupType, setBackupType] = useState<BackupType>('standard');
  const [url, setUrl] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);

  async function register(e: Event) {
    e.preventDefault();
    setErrors({});
    setSaving(true);
    try {
      const created = await ok(
        client.POST('/admin/v1/instances', {
          params: { query: { check: 'true' } },
          body: {
            ...(id.trim() ? { id: id.trim() } : {}),
            name,
            type,
            backup_type: backupType,
            connection_url: url,
          },
        }),
      );
      location.route(`/ui/instances/${encodeURIComponent(created.id)}`);
    } catch (err) {
      const message = refusal(err, onUnauthorized);
      if (message === null) return;
      setErrors({ [fieldOf(message, FIELDS, 'connection_url')]: message });
    } finally {
      setSaving(false);
    }
  }

  return (
    <section>
      <PageHeading>Register an instance</PageHeading>
      <form class="dialog" onSubmit={(e) => void register(e)}>
        <label for="name">Name</label>
        <input
          id="name"
          required
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          aria-describedby={describedBy('name', errors)}
        />
        <FieldError field="name" errors={errors} />
        <label for="id">Id (empty: one is made up)</label>
        <input
          id="id"
          value={id}
          onInput={(e) => setId(e.currentTarget.value)}
          aria-describedby={describedBy('id', errors)}
        />
        <FieldError field="id" errors={errors} />
        <label for="type">Type</label>
        <select
          id="type"
          value={type}
          onChange={(e) => setType(e.currentTarget.value as Type)}
          aria-describedby={describedBy('type', errors)}
        >
          <option value="postgresql">PostgreSQL</option>
          <option value="mariadb">MariaDB</option>
          <option value="redis">Redis</option>
        </select>
        <FieldError field="type" errors={errors} />
        <label for="backup_type">Backups</label>
        <select
          id="backup_type"
          value={backupType}
          onChange={(e) => setBackupType(e.currentTarget.value as BackupType)}
          aria-describedby={describedBy('backup_type', errors)}
        >
          <option value="standard">standard (a dump a day)</option>
          <option value="continuous_archiving">continuous archiving (restore to any moment)</option>
        </select>
        <FieldError field="backup_type" errors={errors} />
        <label for="connection_url">Connection URL (stored encrypted, never shown again)</label>
        <input
          id="connection_url"
          type="password"
          autocomplete="off"
          required
          placeholder="postgresql://user:password@host:5432/dbname"
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
          aria-describedby={describedBy('connection_url', errors)}
        />
        <FieldError field="connection_url" errors={errors} />
        <FieldError field="form" errors={errors} />
        <div class="buttons">
          <button type="submit" disabled={saving}>
            {saving ? 'Checking the connection…' : 'Check and register'}
          </button>
        </div>
      </form>
    </section>
  );
}
