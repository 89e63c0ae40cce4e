import { useState } from 'preact/hooks';
import { TypedConfirm } from './confirm';

interface Candidate {
  id: string;
  name: string;
}

/**
 * Forking a backup: the target is picked among the instances it may go to (same type, granted),
 * and its data is replaced only once its name has been typed.
 */
export function ForkDialog({
  backupId,
  source,
  candidates,
  onFork,
  onCancel,
}: {
  backupId: number;
  source: string;
  candidates: Candidate[] | null;
  onFork: (target: Candidate) => void;
  onCancel: () => void;
}) {
  const [target, setTarget] = useState<Candidate | null>(null);
  if (target) {
    return (
      <TypedConfirm
        title={`Fork backup ${backupId} into ${target.name}`}
        name={target.name}
        action={`Fork into ${target.name}`}
        onConfirm={() => onFork(target)}
        onCancel={onCancel}
      >
        <p>
          Backup {backupId} of {source} is restored into <strong>{target.name}</strong> (
          <code>{target.id}</code>): that instance's current data is replaced. {source} is not
          touched.
        </p>
      </TypedConfirm>
    );
  }
  return (
    <div class="confirm" role="dialog" aria-labelledby="fork-title">
      <h2 id="fork-title">Fork backup {backupId} into another instance</h2>
      {candidates === null && <p>Loading the instances…</p>}
      {candidates?.length === 0 && <p>There is no other instance of this type to fork into.</p>}
      {candidates && candidates.length > 0 && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const id = new FormData(e.currentTarget).get('target');
            setTarget(candidates.find((c) => c.id === id) ?? null);
          }}
        >
          <label for="fork-target">Target instance</label>
          <select id="fork-target" name="target" required>
            {candidates.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.id})
              </option>
            ))}
          </select>
          <div class="buttons">
            <button type="submit">Next</button>
            <button type="button" class="secondary" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {candidates?.length === 0 && (
        <button type="button" class="secondary" onClick={onCancel}>
          Close
        </button>
      )}
    </div>
  );
}
