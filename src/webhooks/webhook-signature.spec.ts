import { signatureHeader, verifySignature } from './webhook-signature';

describe('webhook signatures', () => {
  const body = '{"event":"backup.failed"}';
  const now = 1_800_000_000;

  it('signs the timestamp and the body with HMAC-SHA256, as documented', () => {
    // computed independently: printf '1800000000.{"event":"backup.failed"}' | openssl dgst -sha256 -hmac s3cret
    expect(signatureHeader('s3cret', body, now)).toBe(
      't=1800000000,v1=93b0d9b25f2763f03f8dc58cf50a9f04bebe688b341ac6bb01be78e90c6ff88b',
    );
    expect(verifySignature('s3cret', body, signatureHeader('s3cret', body, now), now)).toBe(true);
  });

  it('refuses another secret, another body, and an old signature', () => {
    const header = signatureHeader('s3cret', body, now);
    expect(verifySignature('other', body, header, now)).toBe(false);
    expect(verifySignature('s3cret', body + ' ', header, now)).toBe(false);
    expect(verifySignature('s3cret', body, header, now + 301)).toBe(false);
    expect(verifySignature('s3cret', body, 'v1=abc', now)).toBe(false);
  });
});
