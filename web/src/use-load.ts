import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from './api';

export type OnUnauthorized = (message: string) => void;

/**
 * Reads `path` with the tab's token: the answer, or the error's sentence (a 401 signs out).
 * `every` says, from an answer, how soon to read again (null: not again until `reload`).
 */
export function useLoad<T>(
  path: string,
  onUnauthorized: OnUnauthorized,
  every?: (t: T) => number | null,
) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  useEffect(() => {
    let timer: number | undefined;
    api<T>(path)
      .then((d) => {
        setData(d);
        const wait = every?.(d) ?? null;
        if (wait !== null) timer = window.setTimeout(() => setRound((r) => r + 1), wait);
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) onUnauthorized(err.message);
        else setError(err instanceof Error ? err.message : String(err));
      });
    return () => window.clearTimeout(timer);
  }, [path, round]);
  return { data, error, reload: () => setRound((r) => r + 1) };
}
