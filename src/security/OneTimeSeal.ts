import crypto from 'node:crypto';

/**
 * Seals a secret that must cross a redirect (a new API token shown on the next page) so that no
 * store ever holds it in plaintext: the ciphertext goes into the session item, the random key into
 * a short-lived cookie of the browser that asked. Either half alone reveals nothing.
 * AES-256-GCM, a fresh key per secret, so a key is used once.
 */
export class OneTimeSeal {
  static seal(plain: string): { sealed: string; key: string } {
    const key = crypto.randomBytes(32);
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return { sealed: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url'), key: key.toString('base64url') };
  }

  /** The secret, or null when the key does not open this seal (wrong, stale or tampered). */
  static open(sealed: string, key: string): string | null {
    try {
      const raw = Buffer.from(sealed, 'base64url');
      const k = Buffer.from(key, 'base64url');
      if (k.length !== 32 || raw.length < 28) return null;
      const decipher = crypto.createDecipheriv('aes-256-gcm', k, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
