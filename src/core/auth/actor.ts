/**
 * Who a request acts as, once a guard recognised it: the admin token, an access token, or the
 * Backup Manager API's credentials. The audit log (src/audit) records it with every
 * state-changing request; a request no guard recognised has none.
 */
export type Actor =
  | { kind: 'admin' }
  | { kind: 'token'; tokenId: string; tokenName: string }
  | { kind: 'backup-manager' };

const actors = new WeakMap<object, Actor>();

/** Says who `req` acts as; the guard that recognised it calls this. */
export function setActor(req: object, actor: Actor): void {
  actors.set(req, actor);
}

/** Who `req` acts as, or null when no guard recognised it. */
export function actorOf(req: object): Actor | null {
  return actors.get(req) ?? null;
}
