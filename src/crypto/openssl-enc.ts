import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

/**
 * The archive encryption, byte-compatible with
 *   openssl enc -aes256 -md md5 -pass 'pass:<key>'
 * so that a user decrypts a download with `openssl enc -aes256 -md md5 -d -pass 'pass:<key>'`.
 *
 * Format: the 8 bytes "Salted__", an 8-byte random salt, then AES-256-CBC (PKCS#7 padding) with
 * key and IV derived by OpenSSL's EVP_BytesToKey with MD5 and one iteration:
 *   D1 = MD5(pass || salt), Di = MD5(D(i-1) || pass || salt); key = D1 || D2, iv = D3.
 * MD5 and a single iteration are weak against guessing a short passphrase; that is the format
 * the command in docs/public-api.md reads, which is why the platform enforces a minimum key length.
 */
export const SALTED_MAGIC = Buffer.from('Salted__', 'latin1');
const SALT_BYTES = 8;

export function evpBytesToKey(passphrase: string, salt: Buffer): { key: Buffer; iv: Buffer } {
  const pass = Buffer.from(passphrase, 'utf8');
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  while (blocks.length < 3) {
    previous = createHash('md5')
      .update(Buffer.concat([previous, pass, salt]))
      .digest();
    blocks.push(previous);
  }
  const material = Buffer.concat(blocks);
  return { key: material.subarray(0, 32), iv: material.subarray(32, 48) };
}

/** A stream that encrypts what passes through it into OpenSSL's salted format. */
export function createOpensslEncryptStream(
  passphrase: string,
  salt: Buffer = randomBytes(SALT_BYTES),
): Transform {
  const { key, iv } = evpBytesToKey(passphrase, salt);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  let headerSent = false;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (!headerSent) {
        this.push(Buffer.concat([SALTED_MAGIC, salt]));
        headerSent = true;
      }
      const out = cipher.update(chunk);
      if (out.length > 0) this.push(out);
      done();
    },
    flush(done: TransformCallback) {
      if (!headerSent) this.push(Buffer.concat([SALTED_MAGIC, salt]));
      this.push(cipher.final());
      done();
    },
  });
}

/** The inverse, for the platform's own restores and for tests. */
export function createOpensslDecryptStream(passphrase: string): Transform {
  let header = Buffer.alloc(0);
  let decipher: ReturnType<typeof createDecipheriv> | null = null;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (decipher) {
        this.push(decipher.update(chunk));
        return done();
      }
      header = Buffer.concat([header, chunk]);
      if (header.length < SALTED_MAGIC.length + SALT_BYTES) return done();
      if (!header.subarray(0, SALTED_MAGIC.length).equals(SALTED_MAGIC)) {
        return done(new Error('not an OpenSSL salted archive'));
      }
      const salt = header.subarray(SALTED_MAGIC.length, SALTED_MAGIC.length + SALT_BYTES);
      const { key, iv } = evpBytesToKey(passphrase, salt);
      decipher = createDecipheriv('aes-256-cbc', key, iv);
      this.push(decipher.update(header.subarray(SALTED_MAGIC.length + SALT_BYTES)));
      done();
    },
    flush(done: TransformCallback) {
      if (!decipher) return done(new Error('archive is shorter than its header'));
      try {
        this.push(decipher.final());
        done();
      } catch {
        done(new Error('archive does not decrypt with this key'));
      }
    },
  });
}
