import { TokenCipher } from '../../src/security/TokenCipher';

describe('TokenCipher', () => {
  it('round-trips and never stores the plaintext', () => {
    const c = new TokenCipher(['a'.repeat(32)]);
    const sealed = c.encrypt('refresh-token-123');
    expect(sealed).not.toContain('refresh-token-123');
    expect(c.decrypt(sealed)).toBe('refresh-token-123');
    expect(c.encrypt('x')).not.toBe(c.encrypt('x')); // random IV
  });

  it('rejects tampered ciphertext (GCM authentication)', () => {
    const c = new TokenCipher(['a'.repeat(32)]);
    const parts = c.encrypt('secret').split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => c.decrypt(parts.join('.'))).toThrow();
  });

  it('decrypts with an older key after rotation and encrypts with the newest', () => {
    const old = new TokenCipher(['old-secret'.padEnd(32, '!')]);
    const rotated = new TokenCipher(['new-secret'.padEnd(32, '!'), 'old-secret'.padEnd(32, '!')]);
    const sealedOld = old.encrypt('t1');
    expect(rotated.decrypt(sealedOld)).toBe('t1');
    expect(() => old.decrypt(rotated.encrypt('t2'))).toThrow(/no longer configured/);
  });
});

describe('secret rotation through configuration', () => {
  it('SESSION_SECRET_PREVIOUS keeps tokens sealed with the old secret readable', async () => {
    const { loadConfig } = await import('../../src/config');
    const old = 'o'.repeat(40);
    const fresh = 'n'.repeat(40);
    const sealed = new TokenCipher([old]).encrypt('refresh');
    const config = loadConfig({ SESSION_SECRET: fresh, SESSION_SECRET_PREVIOUS: `${old}, ` });
    expect(config.previousSecrets).toEqual([old]);
    expect(new TokenCipher([config.sessionSecret, ...config.previousSecrets]).decrypt(sealed)).toBe('refresh');
  });
});
