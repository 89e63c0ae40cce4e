import { render } from 'preact';
import { useState } from 'preact/hooks';
import { session } from './api';
import { FleetPage } from './fleet';
import { SignIn } from './sign-in';

function App() {
  const [signedIn, setSignedIn] = useState(session.token() !== null);
  const [notice, setNotice] = useState<string | undefined>();

  function signOut(message?: string) {
    session.signOut();
    setNotice(message);
    setSignedIn(false);
  }

  if (!signedIn) {
    return (
      <main>
        <SignIn notice={notice} onSignedIn={() => setSignedIn(true)} />
      </main>
    );
  }
  return (
    <>
      <header>
        <span class="brand">backup-manager</span>
        <button type="button" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <main>
        <FleetPage onUnauthorized={(m) => signOut(`Signed out: ${m}`)} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
