import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TokenCipher } from '../security/TokenCipher';
import { rulesFrom, type CountingRules } from '../history/countingRules';
import { APP_KEY } from './keys';
import { isConditionalFailure } from './storeErrors';
import type { Store } from './Store';

export interface User {
  id: string;
  displayName: string;
  imageUrl: string | null;
  country: string | null;
  product: string | null;
  createdAt: string;
  lastLoginAt: string;
  /** IANA time zone for every page, chart and statistic; UTC until the browser's is stored at first login or the person picks one. */
  timeZone: string;
  /** Whether a zone is stored at all (the first page after login stores the browser's when not). */
  timeZoneChosen: boolean;
  /** How plays count in every statistic (defaults until the person changes them). */
  countingRules: CountingRules;
}

export interface SpotifyTokens {
  accessToken: string;
  /** epoch ms */
  expiresAt: number;
  refreshToken: string;
  scope: string;
}

interface UserItem {
  pk: string;
  sk: string;
  id: string;
  display_name: string;
  image_url: string | null;
  country: string | null;
  product: string | null;
  created_at: string;
  last_login_at: string;
  time_zone?: string;
  counting_rules?: unknown;
  tokens?: string; // encrypted JSON of SpotifyTokens
}

/** Users and their Spotify tokens (encrypted at rest). */
export class UserRepository {
  constructor(
    private readonly store: Store,
    private readonly cipher: TokenCipher,
  ) {}

  async upsertFromLogin(profile: Omit<User, 'createdAt' | 'lastLoginAt' | 'timeZone' | 'timeZoneChosen' | 'countingRules'>, tokens: SpotifyTokens, now = new Date()): Promise<User> {
    const iso = now.toISOString();
    const out = await this.store.doc.send(
      new UpdateCommand({
        TableName: this.store.tables.app,
        Key: APP_KEY.user(profile.id),
        UpdateExpression:
          'SET id = :id, display_name = :dn, image_url = :img, country = :c, product = :p, last_login_at = :now, created_at = if_not_exists(created_at, :now), tokens = :t',
        ExpressionAttributeValues: {
          ':id': profile.id,
          ':dn': profile.displayName,
          ':img': profile.imageUrl,
          ':c': profile.country,
          ':p': profile.product,
          ':now': iso,
          ':t': this.cipher.encrypt(JSON.stringify(tokens)),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toUser(out.Attributes as UserItem);
  }

  async get(id: string): Promise<User | null> {
    const item = await this.getItem(id);
    return item ? toUser(item) : null;
  }

  async getTokens(id: string): Promise<SpotifyTokens | null> {
    const item = await this.getItem(id);
    if (!item?.tokens) return null;
    return JSON.parse(this.cipher.decrypt(item.tokens)) as SpotifyTokens;
  }

  async saveTokens(id: string, tokens: SpotifyTokens): Promise<void> {
    await this.store.doc.send(
      new UpdateCommand({
        TableName: this.store.tables.app,
        Key: APP_KEY.user(id),
        UpdateExpression: 'SET tokens = :t',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':t': this.cipher.encrypt(JSON.stringify(tokens)) },
      }),
    );
  }

  async setTimeZone(id: string, tz: string): Promise<void> {
    await this.store.doc.send(
      new UpdateCommand({
        TableName: this.store.tables.app,
        Key: APP_KEY.user(id),
        UpdateExpression: 'SET time_zone = :tz',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':tz': tz },
      }),
    );
  }

  /** Stores a zone only when none is stored yet (the browser's, at first login); false when one was. */
  async setTimeZoneIfUnset(id: string, tz: string): Promise<boolean> {
    try {
      await this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.tables.app,
          Key: APP_KEY.user(id),
          UpdateExpression: 'SET time_zone = :tz',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(time_zone)',
          ExpressionAttributeValues: { ':tz': tz },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  async setCountingRules(id: string, rules: CountingRules): Promise<void> {
    await this.store.doc.send(
      new UpdateCommand({
        TableName: this.store.tables.app,
        Key: APP_KEY.user(id),
        UpdateExpression: 'SET counting_rules = :r',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':r': rules },
      }),
    );
  }

  /** Forget the tokens (the refresh token was rejected); the user must log in again. */
  async clearTokens(id: string): Promise<void> {
    await this.store.doc.send(
      new UpdateCommand({ TableName: this.store.tables.app, Key: APP_KEY.user(id), UpdateExpression: 'REMOVE tokens' }),
    );
  }

  private async getItem(id: string): Promise<UserItem | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.store.tables.app, Key: APP_KEY.user(id) }));
    return (out.Item as UserItem | undefined) ?? null;
  }

  /** Test and admin helper: writes a raw user item. */
  async putRaw(item: Record<string, unknown>): Promise<void> {
    await this.store.doc.send(new PutCommand({ TableName: this.store.tables.app, Item: item }));
  }
}

function toUser(item: UserItem): User {
  return {
    id: item.id,
    displayName: item.display_name,
    imageUrl: item.image_url ?? null,
    country: item.country ?? null,
    product: item.product ?? null,
    createdAt: item.created_at,
    lastLoginAt: item.last_login_at,
    timeZone: item.time_zone ?? 'UTC',
    timeZoneChosen: item.time_zone !== undefined,
    countingRules: rulesFrom(item.counting_rules),
  };
}
