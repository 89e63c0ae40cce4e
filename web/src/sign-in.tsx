import { useState } from 'preact/hooks';
import { ApiError, api, session } from './api';

/** The token form. The admin token opens the fleet. */
export function SignIn({ notice, onSignedIn }: { notice?: string; onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(notice);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    session.signIn(token.trim());
    try {
      await api('/admin/v1/fleet');
      onSignedIn();
    } catch (err) {
      session.signOut();
      setError(
        err instanceof ApiError && err.status === 401
          ? 'This token does not open the dashboard: sign in with the admin token.'
          : `Signing in failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="sign-in" onSubmit={(e) => void submit(e)}>
      <h1>backup-manager</h1>
      <label for="token">Token</label>
      <input
        id="token"
        type="password"
        autocomplete="current-password"
        value={token}
        onInput={(e) => setToken(e.currentTarget.value)}
        aria-describedby={error ? 'sign-in-error' : undefined}
        required
      />
      <button type="submit" disabled={busy}>
        Sign in
      </button>
      {error && (
        <p id="sign-in-error" class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
