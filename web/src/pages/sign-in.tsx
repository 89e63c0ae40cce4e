import { useState } from 'preact/hooks';
import { session } from '../api';

/** The token form: the admin token or an access token; the app learns which it is. */
export function SignIn({ notice, onSignedIn }: { notice?: string; onSignedIn: () => void }) {
  const [token, setToken] = useState('');

  function submit(e: Event) {
    e.preventDefault();
    session.signIn(token.trim());
    onSignedIn();
  }

  return (
    <form class="sign-in" onSubmit={submit}>
      <h1>backup-manager</h1>
      <label for="token">Token</label>
      <input
        id="token"
        type="password"
        autocomplete="current-password"
        value={token}
        onInput={(e) => setToken(e.currentTarget.value)}
        aria-describedby={notice ? 'sign-in-error' : undefined}
        required
      />
      <button type="submit">Sign in</button>
      {notice && (
        <p id="sign-in-error" class="error" role="alert">
          {notice}
        </p>
      )}
    </form>
  );
}
