import { useState } from 'preact/hooks';

/**
 * A secret the API gives once (a token, a webhook's signing secret): shown here, with a copy
 * button, until the user moves on; it is never shown again, as it is stored only hashed or sealed.
 */
export function ShownOnce({ label, secret }: { label: string; secret: string }) {
  const [copied, setCopied] = useState<string | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied.');
    } catch {
      setCopied('The browser refused to copy: select the text and copy it.');
    }
  }
  return (
    <div class="shown-once" role="status">
      <p>
        <strong>{label}</strong>: shown this once, it cannot be read again. Keep it now.
      </p>
      <p>
        <code class="secret" data-secret>
          {secret}
        </code>{' '}
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>{' '}
        {copied && <span>{copied}</span>}
      </p>
    </div>
  );
}
