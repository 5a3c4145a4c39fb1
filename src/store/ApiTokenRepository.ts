import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalFailure } from './storeErrors';
import { APP_KEY, SK_PREFIX, userPk } from './keys';
import type { Store } from './Store';

export interface ApiTokenInfo {
  id: string;
  name: string;
  /** The first characters of the token, so a person can tell tokens apart. */
  prefix: string;
  created_at: string;
  last_used_at: string | null;
}

/** Personal API tokens: only a SHA-256 hash is stored; the token itself is shown once. */
export class ApiTokenRepository {
  constructor(private readonly store: Store) {}

  /**
   * Two items: one lists the token under its user, one finds it by hash. (No transaction: dynalite
   * has none.) The listing goes first, so a token that works is always listed and revocable; if the
   * second write fails, the first is undone.
   */
  async create(userId: string, info: ApiTokenInfo, hash: string): Promise<void> {
    const table = this.store.tables.app;
    await this.store.doc.send(
      new PutCommand({ TableName: table, Item: { ...APP_KEY.userToken(userId, info.id), ...info, hash }, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    try {
      await this.store.doc.send(
        new PutCommand({ TableName: table, Item: { ...APP_KEY.tokenHash(hash), user_id: userId, token_id: info.id }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (err) {
      await this.store.doc.send(new DeleteCommand({ TableName: table, Key: APP_KEY.userToken(userId, info.id) })).catch(() => undefined);
      throw err;
    }
  }

  async list(userId: string): Promise<ApiTokenInfo[]> {
    const out = await this.store.doc.send(
      new QueryCommand({
        TableName: this.store.tables.app,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :t)',
        ExpressionAttributeValues: { ':pk': userPk(userId), ':t': SK_PREFIX.token },
      }),
    );
    return (out.Items ?? [])
      .map((i) => ({ id: i.id as string, name: i.name as string, prefix: i.prefix as string, created_at: i.created_at as string, last_used_at: (i.last_used_at as string) ?? null }))
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
  }

  async findByHash(hash: string): Promise<{ userId: string; tokenId: string } | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.store.tables.app, Key: APP_KEY.tokenHash(hash), ConsistentRead: true }));
    return out.Item ? { userId: out.Item.user_id as string, tokenId: out.Item.token_id as string } : null;
  }

  async touch(userId: string, tokenId: string, at: string): Promise<void> {
    await this.store.doc
      .send(
        new UpdateCommand({
          TableName: this.store.tables.app,
          Key: APP_KEY.userToken(userId, tokenId),
          UpdateExpression: 'SET last_used_at = :t',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':t': at },
        }),
      )
      .catch((err: Error) => {
        if (!isConditionalFailure(err)) throw err;
      });
  }

  /** Deletes both items; false when the user has no such token. */
  async revoke(userId: string, tokenId: string): Promise<boolean> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.store.tables.app, Key: APP_KEY.userToken(userId, tokenId), ConsistentRead: true }));
    if (!out.Item) return false;
    await this.store.doc.send(new DeleteCommand({ TableName: this.store.tables.app, Key: APP_KEY.tokenHash(out.Item.hash as string) }));
    await this.store.doc.send(new DeleteCommand({ TableName: this.store.tables.app, Key: APP_KEY.userToken(userId, tokenId) }));
    return true;
  }
}
