import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals secrets at rest (connection URLs, encryption keys) with AES-256-GCM under a key derived
 * from MASTER_KEY. Each sealed value is bound to a context string (e.g. the row it belongs to),
 * so a ciphertext copied into another row does not open there.
 *
 * Layout: version (1 byte) | IV (12) | auth tag (16) | ciphertext.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(masterKey: string) {
    this.key = Buffer.from(
      hkdfSync(
        'sha256',
        Buffer.from(masterKey, 'utf8'),
        Buffer.alloc(0),
        'backup-manager/secret-box/v1',
        32,
      ),
    );
  }

  seal(plaintext: string, context: string): Uint8Array<ArrayBuffer> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return new Uint8Array(Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]));
  }

  /** Throws when the value was sealed under another master key or for another context. */
  open(sealed: Uint8Array, context: string): string {
    const buf = Buffer.from(sealed);
    if (buf.length < 1 + IV_BYTES + TAG_BYTES || buf[0] !== VERSION) {
      throw new Error('sealed secret has an unknown format');
    }
    const iv = buf.subarray(1, 1 + IV_BYTES);
    const tag = buf.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([
        decipher.update(buf.subarray(1 + IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error('sealed secret does not open: wrong MASTER_KEY or tampered value');
    }
  }
}
