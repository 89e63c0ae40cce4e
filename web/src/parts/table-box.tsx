import type { ComponentChildren } from 'preact';

/**
 * A table that may be wider than the screen: it scrolls inside this box, never the page, and the
 * box takes the focus so that it can be scrolled from the keyboard too.
 */
export function TableBox({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-box" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
