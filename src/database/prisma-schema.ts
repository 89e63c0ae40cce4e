/**
 * The columns of a table as the Prisma schema declares them (`model <name> { … }`), in the order
 * they are declared: what the view over the table is generated from. Relation fields (whose type
 * is another model or view) are not columns; @ignore fields are.
 */
export function modelColumns(schema: string, model: string): string[] {
  const block = new RegExp(`^model ${model} \\{\\n([\\s\\S]*?)^\\}`, 'm').exec(schema);
  if (!block) throw new Error(`the Prisma schema has no model ${model}`);
  const types = new Set([...schema.matchAll(/^(?:model|view) (\w+) \{/gm)].map((m) => m[1]));
  const columns: string[] = [];
  for (const line of block[1].split('\n')) {
    const field = /^\s+(\w+)\s+(\w+)(\?|\[\])?(.*)$/.exec(line);
    if (!field || types.has(field[2])) continue;
    columns.push(/@map\("([^"]+)"\)/.exec(field[4])?.[1] ?? field[1]);
  }
  return columns;
}

/** The fields of `view <name> { … }` by column name (its @map, or the field's own name). */
export function viewColumns(schema: string, view: string): string[] {
  return modelColumns(
    schema.replace(new RegExp(`^view ${view} \\{`, 'm'), `model ${view} {`),
    view,
  );
}
