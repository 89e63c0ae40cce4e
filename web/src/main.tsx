import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso/router';
import { ApiError, Role, client, ok, session } from './api';
import { AdminInstancePage } from './pages/admin-instance';
import { AuditPage } from './pages/audit';
import { FleetPage } from './pages/fleet';
import { InstancePage, MyInstancesPage } from './pages/instances';
import { NotFoundPage } from './pages/not-found';
import { RegisterPage } from './pages/register';
import { SignIn } from './pages/sign-in';
import { TokensPage } from './pages/tokens';
import { WebhookPage, WebhooksPage } from './pages/webhooks';
import { OnUnauthorized } from './parts/use-load';

/**
 * The admin token opens the fleet; any other token that works opens its instances. Asked of the
 * smallest admin route, so that the fleet page's own request is the only fleet read.
 */
async function roleOfToken(): Promise<Role> {
  try {
    await ok(client.GET('/admin/v1/workers'));
    return 'admin';
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
  }
  await ok(client.GET('/v1/instances'));
  return 'instances';
}

interface PageProps {
  onUnauthorized: OnUnauthorized;
}

/** An instance's page for the operator; a new instance is a new page, with no state of the last. */
const AdminInstanceRoute = ({ id, onUnauthorized }: PageProps & { id: string }) => (
  <AdminInstancePage key={id} id={id} onUnauthorized={onUnauthorized} />
);

/** An instance's page for an access token, keyed the same way. */
const InstanceRoute = ({ id, onUnauthorized }: PageProps & { id: string }) => (
  <InstancePage key={id} id={id} onUnauthorized={onUnauthorized} />
);

const WebhookRoute = ({ id, onUnauthorized }: PageProps & { id: string }) => (
  <WebhookPage key={id} id={id} onUnauthorized={onUnauthorized} />
);

/** The operator's pages: the fleet, any instance in it, and what manages the fleet. */
function AdminRoutes(props: PageProps) {
  return (
    <Router>
      <Route path="/ui/" component={FleetPage} {...props} />
      <Route path="/ui/instances/:id" component={AdminInstanceRoute} {...props} />
      <Route path="/ui/register" component={RegisterPage} {...props} />
      <Route path="/ui/tokens" component={TokensPage} {...props} />
      <Route path="/ui/webhooks" component={WebhooksPage} {...props} />
      <Route path="/ui/webhooks/:id" component={WebhookRoute} {...props} />
      <Route path="/ui/audit" component={AuditPage} {...props} />
      <Route default component={NotFoundPage} />
    </Router>
  );
}

const ADMIN_PAGES = [
  { href: '/ui/', label: 'Fleet' },
  { href: '/ui/register', label: 'Register' },
  { href: '/ui/tokens', label: 'Tokens' },
  { href: '/ui/webhooks', label: 'Webhooks' },
  { href: '/ui/audit', label: 'Audit' },
];

/** The operator's pages, the current one marked for the eye and for screen readers. */
function AdminNav() {
  const { path } = useLocation();
  const current = (href: string) =>
    href === '/ui/' ? path === '/ui/' || path.startsWith('/ui/instances/') : path.startsWith(href);
  return (
    <nav aria-label="Pages">
      {ADMIN_PAGES.map((p) => (
        <a key={p.href} href={p.href} aria-current={current(p.href) ? 'page' : undefined}>
          {p.label}
        </a>
      ))}
    </nav>
  );
}

/** An access token's pages: its instances. */
function TokenRoutes(props: PageProps) {
  return (
    <Router>
      <Route path="/ui/" component={MyInstancesPage} {...props} />
      <Route path="/ui/instances/:id" component={InstanceRoute} {...props} />
      <Route default component={NotFoundPage} />
    </Router>
  );
}

function App() {
  // a reload keeps what the token opens: the page's own request goes out at once
  const [role, setRole] = useState<Role | null>(session.role());
  const [signedIn, setSignedIn] = useState(session.token() !== null);
  const [notice, setNotice] = useState<string | undefined>();

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
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signedIn]);

  if (!signedIn) {
    return (
      <main>
        <SignIn notice={notice} onSignedIn={() => setSignedIn(true)} />
      </main>
    );
  }
  const unauthorized = (m: string) => signOut(`Signed out: ${m}`);
  return (
    <>
      <header>
        <a class="brand" href="/ui/">
          backup-manager
        </a>
        {role === 'admin' && <AdminNav />}
        <button type="button" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <main>
        {role === null && <p>Signing in…</p>}
        {role === 'admin' && <AdminRoutes onUnauthorized={unauthorized} />}
        {role === 'instances' && <TokenRoutes onUnauthorized={unauthorized} />}
      </main>
    </>
  );
}

render(
  // links inside /ui are followed without a reload; the API's own addresses are not pages
  <LocationProvider scope="/ui/">
    <App />
  </LocationProvider>,
  document.getElementById('app')!,
);
