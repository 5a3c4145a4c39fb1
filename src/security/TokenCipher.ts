import crypto from 'node:crypto';

/**
 * Encrypts Spotify tokens at rest with AES-256-GCM. Keys are derived with HKDF from secrets given
 * in configuration. The first secret encrypts; all are tried for decryption, so a key can be
 * rotated by putting the new secret first and keeping the old one until users have logged in again.
 * Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts); keyId is a short hash of the key.
 */
export class TokenCipher {
  private readonly keys: { id: string; key: Buffer }[];

  constructor(secrets: string[]) {
    if (secrets.length === 0) throw new Error('TokenCipher needs at least one secret');
    this.keys = secrets.map((s) => {
      const key = Buffer.from(crypto.hkdfSync('sha256', s, 'spotify-data-app', 'token-encryption', 32));
      return { id: crypto.createHash('sha256').update(key).digest('base64url').slice(0, 8), key };
    });
  }

  encrypt(plain: string): string {
    const { id, key } = this.keys[0];
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  decrypt(sealed: string): string {
    const [version, id, iv, tag, ct] = sealed.split('.');
    if (version !== 'v1' || ct === undefined) throw new Error('unrecognised token ciphertext');
    const entry = this.keys.find((k) => k.id === id);
    if (!entry) throw new Error('token was encrypted with a key that is no longer configured');
    const decipher = crypto.createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
