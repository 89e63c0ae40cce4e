import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, Role, api, session } from './api';
import { AdminInstancePage } from './admin-instance';
import { FleetPage } from './fleet';
import { InstancePage, MyInstancesPage } from './instances';
import { SignIn } from './sign-in';

/**
 * The admin token opens the fleet; any other token that works opens its instances. Asked of the
 * smallest admin route, so that the fleet page's own request is the only fleet read.
 */
async function roleOfToken(): Promise<Role> {
  try {
    await api('/admin/v1/workers');
    return 'admin';
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
  }
  await api('/v1/instances');
  return 'instances';
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

function App() {
  // a reload keeps what the token opens: the page's own request goes out at once
  const [role, setRole] = useState<Role | null>(session.role());
  const [signedIn, setSignedIn] = useState(session.token() !== null);
  const [notice, setNotice] = useState<string | undefined>();
  const hash = useHash();

  function signOut(message?: string) {
    session.signOut();
    setRole(null);
    setNotice(message);
    setSignedIn(false);
  }

  useEffect(() => {
    if (!signedIn || role !== null) return;
    roleOfToken()
      .then((r) => {
        session.rememberRole(r);
        setRole(r);
      })
      .catch((err: unknown) =>
        signOut(
          err instanceof ApiError && err.status === 401
            ? 'This token is unknown, revoked or expired.'
            : `Signing in failed: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
  }, [signedIn]);

  if (!signedIn) {
    return (
      <main>
        <SignIn notice={notice} onSignedIn={() => setSignedIn(true)} />
      </main>
    );
  }
  const unauthorized = (m: string) => signOut(`Signed out: ${m}`);
  const instance = /^#\/instances\/([^/]+)$/.exec(hash);
  const fleetInstance = /^#\/fleet\/([^/]+)$/.exec(hash);
  return (
    <>
      <header>
        <span class="brand">backup-manager</span>
        <button type="button" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <main>
        {role === null && <p>Signing in…</p>}
        {role === 'admin' &&
          (fleetInstance ? (
            <AdminInstancePage
              id={decodeURIComponent(fleetInstance[1])}
              onUnauthorized={unauthorized}
            />
          ) : (
            <FleetPage onUnauthorized={unauthorized} />
          ))}
        {role === 'instances' &&
          (instance ? (
            <InstancePage id={decodeURIComponent(instance[1])} onUnauthorized={unauthorized} />
          ) : (
            <MyInstancesPage onUnauthorized={unauthorized} />
          ))}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
