/** The parts of an Express router that tell which methods a path has routes for. */
interface RouterLike {
  stack: Array<{
    route?: { methods: Record<string, boolean> };
    match(path: string): unknown;
  }>;
}

/**
 * The methods that have a route for `path` (uppercase, HEAD with GET), read from the router
 * that Nest registered its routes on; empty when no route matches the path at all.
 */
export function allowedMethods(router: RouterLike | undefined, path: string): string[] {
  const methods = new Set<string>();
  for (const layer of router?.stack ?? []) {
    if (!layer.route) continue;
    let matches: unknown;
    try {
      matches = layer.match(path);
    } catch {
      continue; // a parameter that does not decode: not a match
    }
    if (!matches) continue;
    for (const [m, on] of Object.entries(layer.route.methods)) {
      if (on && m !== '_all') methods.add(m.toUpperCase());
    }
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
