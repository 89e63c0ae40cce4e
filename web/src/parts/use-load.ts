import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';

export type OnUnauthorized = (message: string) => void;

/**
 * What a failed action tells the user: the API's sentence, or null when the answer was a 401,
 * which signs the tab out instead.
 */
export function refusal(err: unknown, onUnauthorized: OnUnauthorized): string | null {
  if (err instanceof ApiError && err.status === 401) {
    onUnauthorized(err.message);
    return null;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Reads with `load` what `key` names: the answer, or the error's sentence (a 401 signs out).
 * An answer is shown only for the key it was asked for: when the key changes (another instance
 * opened) the request under way is aborted and whatever it still brings is dropped, so one
 * instance's data never shows on another's page. `every` says, from an answer, how soon to read
 * again (null: not again until `reload`).
 */
export function useLoad<T>(
  key: string,
  load: (signal: AbortSignal) => Promise<T>,
  onUnauthorized: OnUnauthorized,
  every?: (t: T) => number | null,
) {
  const [state, setState] = useState<{
    key: string;
    data: T | null;
    error: string | null;
    at: number;
  }>({ key, data: null, error: null, at: 0 });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let timer: number | undefined;
    const aborter = new AbortController();
    load(aborter.signal)
      .then((data) => {
        if (aborter.signal.aborted) return;
        setState({ key, data, error: null, at: Date.now() });
        const wait = every?.(data) ?? null;
        if (wait !== null) timer = window.setTimeout(() => setRound((r) => r + 1), wait);
      })
      .catch((err: unknown) => {
        if (aborter.signal.aborted) return;
        if (err instanceof ApiError && err.status === 401) onUnauthorized(err.message);
        else
          setState({
            key,
            data: null,
            error: err instanceof Error ? err.message : String(err),
            at: Date.now(),
          });
      });
    return () => {
      aborter.abort();
      window.clearTimeout(timer);
    };
    // the key names what `load` reads: a new closure for the same key reads the same thing
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, round]);
  const current = state.key === key;
  const reload = useCallback(() => setRound((r) => r + 1), []);
  // `at`: when the answer came, the "now" its ages are told from
  return {
    data: current ? state.data : null,
    error: current ? state.error : null,
    at: state.at,
    reload,
  };
}
