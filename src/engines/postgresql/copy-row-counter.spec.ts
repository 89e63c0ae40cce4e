import { CopyRowCounter, qualifiedNameAt, splitQualifiedName } from './copy-row-counter';

/** Shaped as pg_dump writes it: a function whose body holds a COPY, then three tables' data. */
const DUMP = [
  '--',
  '-- PostgreSQL database dump',
  '--',
  '',
  'CREATE FUNCTION public.load() RETURNS void',
  '    LANGUAGE sql',
  '    AS $$',
  'COPY public.orders (id) FROM stdin;',
  '$$;',
  '',
  '--',
  '-- Data for Name: orders; Type: TABLE DATA; Schema: public; Owner: app',
  '--',
  '',
  'COPY public.orders (id, note) FROM stdin;',
  '1\ta line with a \\\\. inside',
  '2\t\\\\.',
  '3\t\\N',
  '\\.',
  '',
  '',
  '--',
  '-- Data for Name: Order "Items"; Type: TABLE DATA; Schema: sales; Owner: app',
  '--',
  '',
  'COPY sales."Order ""Items""" (id) FROM stdin;',
  '1',
  '\\.',
  '',
  '',
  '--',
  '-- Data for Name: empty; Type: TABLE DATA; Schema: public; Owner: app',
  '--',
  '',
  'COPY public.empty (id) FROM stdin;',
  '\\.',
  '',
  '',
  "SELECT pg_catalog.setval('public.orders_id_seq', 3, true);",
  '',
].join('\n');

const EXPECTED = [
  { table: 'public.orders', rows: 3 },
  { table: 'sales."Order ""Items"""', rows: 1 },
  { table: 'public.empty', rows: 0 },
];

describe('CopyRowCounter', () => {
  it('counts the rows of each COPY block of a dump seen whole', () => {
    const counter = new CopyRowCounter();
    counter.see(Buffer.from(DUMP));
    expect(counter.tables()).toEqual(EXPECTED);
  });

  it('counts the same however the dump is cut into chunks', () => {
    const bytes = Buffer.from(DUMP);
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const counter = new CopyRowCounter();
      for (let i = 0; i < bytes.length; i += size) counter.see(bytes.subarray(i, i + size));
      expect(counter.tables()).toEqual(EXPECTED);
    }
  });

  it('does not count a block the dump never ended (a dump cut short)', () => {
    const counter = new CopyRowCounter();
    counter.see(Buffer.from(DUMP.slice(0, DUMP.indexOf('3\t\\N'))));
    expect(counter.tables()).toEqual([]);
  });
});

describe('qualified names', () => {
  it('reads a name as pg_dump writes it, and splits it unquoted', () => {
    const line = 'COPY sales."Order ""Items""" (id) FROM stdin;';
    const written = qualifiedNameAt(line, 5);
    expect(written).toBe('sales."Order ""Items"""');
    expect(splitQualifiedName(written!)).toEqual(['sales', 'Order "Items"']);
    expect(splitQualifiedName('public.orders')).toEqual(['public', 'orders']);
    expect(qualifiedNameAt('COPY public.t  FROM stdin;', 5)).toBe('public.t');
  });
});
