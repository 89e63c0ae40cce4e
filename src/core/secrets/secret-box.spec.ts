import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox('a'.repeat(64));

  it('opens what it sealed, for the same context', () => {
    const sealed = box.seal('postgres://u:p@h/db', 'instance:1');
    expect(box.open(sealed, 'instance:1')).toBe('postgres://u:p@h/db');
  });

  it('does not contain the plaintext', () => {
    const sealed = box.seal('very-secret-password', 'x');
    expect(Buffer.from(sealed).toString('latin1')).not.toContain('very-secret-password');
  });

  it('uses a fresh IV each time', () => {
    expect(Buffer.from(box.seal('same', 'x')).equals(box.seal('same', 'x'))).toBe(false);
  });

  it('refuses another context, another master key and a flipped bit', () => {
    const sealed = box.seal('secret', 'instance:1');
    expect(() => box.open(sealed, 'instance:2')).toThrow(/does not open/);
    expect(() => new SecretBox('b'.repeat(64)).open(sealed, 'instance:1')).toThrow(/does not open/);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 1;
    expect(() => box.open(tampered, 'instance:1')).toThrow(/does not open/);
  });
});
