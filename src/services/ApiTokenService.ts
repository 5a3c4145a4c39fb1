import crypto from 'node:crypto';
import { BadRequest, NotFound } from '../errors';
import type { ApiTokenInfo, ApiTokenRepository } from '../store/ApiTokenRepository';

const TOKEN_PREFIX = 'sda_';
/** last_used_at is written at most this often per token, to keep reads cheap. */
const TOUCH_EVERY_MS = 60_000;

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** Personal API tokens for scripts: created and revoked on /settings, shown once, stored hashed. */
export class ApiTokenService {
  private readonly touched = new Map<string, number>();

  constructor(private readonly repo: ApiTokenRepository) {}

  async create(userId: string, rawName: string): Promise<{ token: string; info: ApiTokenInfo }> {
    const name = rawName.trim();
    if (!name || name.length > 60) throw new BadRequest('Give the token a name of 1 to 60 characters.', 'invalid_token_name');
    if ((await this.repo.list(userId)).length >= 20) throw new BadRequest('You have 20 tokens already; revoke one first.', 'too_many_tokens');
    const token = TOKEN_PREFIX + crypto.randomBytes(24).toString('base64url');
    const info: ApiTokenInfo = { id: crypto.randomUUID(), name, prefix: token.slice(0, 10), created_at: new Date().toISOString(), last_used_at: null };
    await this.repo.create(userId, info, hashToken(token));
    return { token, info };
  }

  list(userId: string): Promise<ApiTokenInfo[]> {
    return this.repo.list(userId);
  }

  async revoke(userId: string, tokenId: string): Promise<void> {
    if (!(await this.repo.revoke(userId, tokenId))) throw new NotFound('No such token');
  }

  /** The user a token belongs to, or null for an unknown or revoked token. */
  async authenticate(token: string): Promise<string | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
    const found = await this.repo.findByHash(hashToken(token));
    if (!found) return null;
    const last = this.touched.get(found.tokenId) ?? 0;
    if (Date.now() - last > TOUCH_EVERY_MS) {
      this.touched.set(found.tokenId, Date.now());
      await this.repo.touch(found.userId, found.tokenId, new Date().toISOString());
    }
    return found.userId;
  }
}
