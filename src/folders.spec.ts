import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

const SRC = __dirname;

/** Which top-level folders of src/ each folder imports (generated code and specs aside). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.startsWith('generated'),
  );
  for (const file of files) {
    const from = file.split(sep)[0];
    if (from === file) continue; // an entry point at the top (main.ts, app.module.ts)
    for (const [, spec] of readFileSync(join(SRC, file), 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const target = relative(SRC, normalize(join(SRC, dirname(file), spec)));
      const to = target.split(sep)[0];
      if (target.startsWith('..') || to === target || to === from || to === 'generated') continue;
      graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
  }
  return graph;
}

describe('the folders of src/', () => {
  it('never depend on each other in a circle, and core depends on no feature', () => {
    const graph = folderGraph();
    const reaches = (a: string, b: string, seen = new Set<string>()): boolean =>
      [...(graph.get(a) ?? [])].some(
        (n) => n === b || (!seen.has(n) && reaches(n, b, seen.add(n))),
      );
    const circles = [...graph.keys()].flatMap((a) =>
      [...(graph.get(a) ?? [])].filter((b) => reaches(b, a)).map((b) => `${a} ↔ ${b}`),
    );
    expect(circles).toEqual([]);
    expect([...(graph.get('core') ?? [])]).toEqual([]);
    // the graph is read at all: features do import core
    expect(graph.get('backups')?.has('core')).toBe(true);
  });
});
