import { useEffect, useState } from 'preact/hooks';
import { BackupsConfig, client, ok } from '../api';
import { FieldError, describedBy, fieldOf } from './field-errors';
import { refusal } from './use-load';

const FIELDS = ['retention_time', 'min_backup_count', 'exclude_from_auto_backup', 'encryption_key'];

/**
 * An instance's backups config. The encryption key is write-only: the field starts empty,
 * is sent only when filled, and is cleared once saved.
 */
export function ConfigForm({
  id,
  onUnauthorized,
}: {
  id: string;
  onUnauthorized: (message: string) => void;
}) {
  const path = { params: { path: { instance_id: id } } };
  const read = () => ok(client.GET('/v1/instances/{instance_id}/backups-config', path));
  const [config, setConfig] = useState<BackupsConfig | null>(null);
  const [retention, setRetention] = useState('');
  const [minCount, setMinCount] = useState('');
  const [excluded, setExcluded] = useState(false);
  const [key, setKey] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);

  function show(c: BackupsConfig) {
    setConfig(c);
    setRetention(String(c.retention_time));
    setMinCount(String(c.min_backup_count));
    setExcluded(c.exclude_from_auto_backup);
  }

  useEffect(() => {
    read()
      .then(show)
      .catch((err: unknown) => {
        const message = refusal(err, onUnauthorized);
        if (message !== null) setErrors({ form: message });
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  async function save(e: Event) {
    e.preventDefault();
    setErrors({});
    setSaved(false);
    const body = {
      retention_time: Number(retention),
      min_backup_count: Number(minCount),
      exclude_from_auto_backup: excluded,
      ...(key === '' ? {} : { encryption_key: key }),
    };
    try {
      await ok(client.PATCH('/v1/instances/{instance_id}/backups-config', { ...path, body }));
      setKey('');
      setSaved(true);
      show(await read());
    } catch (err) {
      const message = refusal(err, onUnauthorized);
      if (message === null) return;
      setErrors({ [fieldOf(message, FIELDS)]: message });
    }
  }

  if (!config) return errors.form ? <p class="error">{errors.form}</p> : <p>Loading the config…</p>;
  return (
    <form class="config" onSubmit={(e) => void save(e)}>
      <h2>Backups config</h2>
      <label for="retention_time">Retention (days)</label>
      <input
        id="retention_time"
        type="number"
        min="0"
        value={retention}
        onInput={(e) => setRetention(e.currentTarget.value)}
        aria-describedby={describedBy('retention_time', errors)}
      />
      <FieldError field="retention_time" errors={errors} />
      <label for="min_backup_count">Minimum backups kept</label>
      <input
        id="min_backup_count"
        type="number"
        min="0"
        value={minCount}
        onInput={(e) => setMinCount(e.currentTarget.value)}
        aria-describedby={describedBy('min_backup_count', errors)}
      />
      <FieldError field="min_backup_count" errors={errors} />
      <label>
        <input
          type="checkbox"
          checked={excluded}
          onChange={(e) => setExcluded(e.currentTarget.checked)}
        />{' '}
        Exclude from scheduled backups
      </label>
      <FieldError field="exclude_from_auto_backup" errors={errors} />
      <label for="encryption_key">
        New encryption key (at least {config.min_encryption_key_length} characters; never shown)
      </label>
      <input
        id="encryption_key"
        type="password"
        autocomplete="new-password"
        value={key}
        onInput={(e) => setKey(e.currentTarget.value)}
        aria-describedby={describedBy('encryption_key', errors)}
      />
      <FieldError field="encryption_key" errors={errors} />
      <FieldError field="form" errors={errors} />
      <button type="submit">Save</button>
      {saved && <p role="status">Saved.</p>}
    </form>
  );
}
