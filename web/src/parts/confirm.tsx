import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Asks before an action that replaces or removes data: it goes ahead only once the user has
 * typed `name` (the instance whose data is at stake), as a slip of the mouse cannot.
 */
export function TypedConfirm({
  title,
  name,
  action,
  children,
  onConfirm,
  onCancel,
}: {
  title: string;
  name: string;
  action: string;
  children: ComponentChildren;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const [typed, setTyped] = useState('');
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus(), []);
  return (
    <div
      class="confirm"
      role="alertdialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-text"
    >
      <h2 id="confirm-title">{title}</h2>
      <div id="confirm-text">{children}</div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (typed === name) onConfirm();
        }}
      >
        <label for="confirm-name">
          Type <strong>{name}</strong> to confirm
        </label>
        <input
          id="confirm-name"
          ref={field}
          autocomplete="off"
          spellcheck={false}
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        <div class="buttons">
          <button type="submit" class="danger" disabled={typed !== name}>
            {action}
          </button>
          <button type="button" class="secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
