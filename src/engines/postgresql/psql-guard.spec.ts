import { Readable } from 'node:stream';
import fc from 'fast-check';
import { dropRestrictLines, psqlCanRestrict } from './psql-guard';

async function filter(chunks: string[]): Promise<string> {
  const out: Buffer[] = [];
  const stream = Readable.from(chunks.map((c) => Buffer.from(c))).pipe(dropRestrictLines());
  for await (const chunk of stream) out.push(chunk as Buffer);
  return Buffer.concat(out).toString('utf8');
}

/** The same dump cut into pieces at these offsets. */
const cut = (text: string, at: number[]) => {
  const points = [...new Set(at.map((a) => a % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let last = 0;
  for (const p of points) {
    pieces.push(text.slice(last, p));
    last = p;
  }
  pieces.push(text.slice(last));
  return pieces.filter((p) => p.length > 0);
};

const DUMP = [
  '--',
  '-- PostgreSQL database dump',
  '--',
  '',
  '\\restrict HJot5RO7f3YeIirhiBAMm',
  '',
  'SET statement_timeout = 0;',
  'CREATE TABLE public.t (x text);',
  'COPY public.t (x) FROM stdin;',
  '\\restrict this is data: an escaped carriage return then "estrict"',
  'plain ✓ row',
  '\\\\! not a command either',
  '\\.',
  'CREATE INDEX c ON public.t (x);',
  "COMMENT ON TABLE public.t IS 'COPY this FROM stdin;';",
  '\\unrestrict HJot5RO7f3YeIirhiBAMm',
  '',
].join('\n');

const EXPECTED = DUMP.replace('\\restrict HJot5RO7f3YeIirhiBAMm\n', '').replace(
  '\\unrestrict HJot5RO7f3YeIirhiBAMm\n',
  '',
);

describe('dropRestrictLines', () => {
  it("drops the dump's \\restrict and \\unrestrict lines and nothing else", async () => {
    expect(await filter([DUMP])).toBe(EXPECTED);
  });

  it('leaves COPY data lines alone, even one that reads like \\restrict', async () => {
    const out = await filter([DUMP]);
    expect(out).toContain('\\restrict this is data');
  });

  it('gives the same result however the input is cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(DUMP.length), { maxLength: 40 }), async (at) => {
        expect(await filter(cut(DUMP, at))).toBe(EXPECTED);
      }),
      { numRuns: 200 },
    );
    expect(await filter([...DUMP])).toBe(EXPECTED); // one byte at a time
  });

  it('keeps a meta-command it does not know, for psql to refuse', async () => {
    expect(await filter(['\\! touch /tmp/x\nSELECT 1;\n'])).toBe('\\! touch /tmp/x\nSELECT 1;\n');
  });

  it('sees the end of a COPY block written with CRLF line ends', async () => {
    const crlf = DUMP.replace(/\n/g, '\r\n');
    expect(await filter(cut(crlf, [100, 211, 212, 213]))).toBe(EXPECTED.replace(/\n/g, '\r\n'));
  });

  it('drops a last \\unrestrict line without a newline', async () => {
    expect(await filter(['SELECT 1;\n\\unrestrict abc'])).toBe('SELECT 1;\n');
  });
});

describe('psqlCanRestrict', () => {
  it.each([
    ['15.14', true],
    ['15.20', true],
    ['15.13', false],
    ['16.10', true],
    ['16.9', false],
    ['17.6', true],
    ['13.22', true],
    ['12.22', false],
    ['18.0', true],
  ])('psql %s → %s', (version, can) => {
    expect(psqlCanRestrict(version)).toBe(can);
  });
});
