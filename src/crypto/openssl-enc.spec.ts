import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { buffer } from 'node:stream/consumers';
import {
  createOpensslDecryptStream,
  createOpensslEncryptStream,
  evpBytesToKey,
} from './openssl-enc';

const encrypt = async (data: Buffer, pass: string, chunk = 4096): Promise<Buffer> => {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) parts.push(data.subarray(i, i + chunk));
  const enc = createOpensslEncryptStream(pass);
  const out = buffer(enc);
  await pipeline(Readable.from(parts), enc);
  return out;
};

const opensslDecrypt = (archive: Buffer, pass: string): Buffer =>
  execFileSync('openssl', ['enc', '-aes256', '-md', 'md5', '-d', '-pass', `pass:${pass}`], {
    input: archive,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'ignore'],
  });

describe('OpenSSL-compatible archive encryption', () => {
  it.each([
    ['empty input', 0],
    ['one byte', 1],
    ['exactly one block', 16],
    ['odd size', 100_003],
    ['a few MiB', 3 * 1024 * 1024 + 7],
  ])('the real openssl decrypts %s', async (_label, size) => {
    const data = randomBytes(size);
    const pass = 'correct horse battery staple';
    const archive = await encrypt(data, pass);
    expect(archive.subarray(0, 8).toString('latin1')).toBe('Salted__');
    expect(opensslDecrypt(archive, pass).equals(data)).toBe(true);
  });

  it('handles passphrases with spaces, quotes and non-ASCII characters', async () => {
    const pass = `pä$$ 'wörd' "x" 🔑`;
    const data = Buffer.from('hello');
    expect(opensslDecrypt(await encrypt(data, pass), pass).toString()).toBe('hello');
  });

  it('derives key and IV exactly as openssl does', () => {
    const salt = Buffer.from('0102030405060708', 'hex');
    const printed = execFileSync(
      'openssl',
      ['enc', '-aes256', '-md', 'md5', '-P', '-S', salt.toString('hex'), '-pass', 'pass:secret'],
      {
        encoding: 'utf8',
      },
    );
    const { key, iv } = evpBytesToKey('secret', salt);
    expect(printed).toContain(`key=${key.toString('hex').toUpperCase()}`);
    expect(printed).toContain(`iv =${iv.toString('hex').toUpperCase()}`);
  });

  it('uses a fresh salt for every archive', async () => {
    const a = await encrypt(Buffer.from('same'), 'pass-1234');
    const b = await encrypt(Buffer.from('same'), 'pass-1234');
    expect(a.subarray(8, 16).equals(b.subarray(8, 16))).toBe(false);
  });

  it('decrypts what openssl encrypted, and refuses a wrong key', async () => {
    const data = randomBytes(50_000);
    const archive = execFileSync(
      'openssl',
      ['enc', '-aes256', '-md', 'md5', '-pass', 'pass:k-123456'],
      { input: data },
    );
    const dec = createOpensslDecryptStream('k-123456');
    const out = buffer(dec);
    await pipeline(Readable.from([archive]), dec);
    expect((await out).equals(data)).toBe(true);

    // with a wrong key, CBC's padding check passes by chance for about 1 archive in 256 (the
    // format has no MAC; a restore then fails in gunzip instead): a fixed salt and content keep
    // this case from being one of those by chance
    const fixed = createOpensslEncryptStream('k-123456', Buffer.from('0011223344556677', 'hex'));
    const sealed = buffer(fixed);
    await pipeline(Readable.from([Buffer.alloc(50_000, 'backup-manager ')]), fixed);
    const wrong = createOpensslDecryptStream('not-the-key');
    wrong.resume();
    await expect(pipeline(Readable.from([await sealed]), wrong)).rejects.toThrow(
      /does not decrypt/,
    );
  });
});
