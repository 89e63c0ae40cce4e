import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

const SRC = __dirname;

/**
 * Which folders directly under `root` (src/ itself, or a folder of it) each such folder imports
 * (generated code and specs aside).
 */
function folderGraph(root = SRC): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.startsWith('generated'),
  );
  for (const file of files) {
    const from = file.split(sep)[0];
    if (from === file) continue; // an entry point at the top (main.ts, app.module.ts)
    for (const [, spec] of readFileSync(join(root, file), 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const target = relative(root, normalize(join(root, dirname(file), spec)));
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

  it('keep each engine to its folder: no engine imports another, and what they share none', () => {
    const folders = readdirSync(join(SRC, 'engines'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.sort()).toEqual(['mariadb', 'postgresql', 'redis', 'shared']);
    const engines = folderGraph(join(SRC, 'engines'));
    for (const [from, to] of engines) {
      expect({ from, imports: [...to].filter((t) => t !== 'shared') }).toEqual({
        from,
        imports: [],
      });
    }
    expect(engines.get('postgresql')?.has('shared')).toBe(true);
  });
});
