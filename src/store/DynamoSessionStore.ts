import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import session from 'express-session';
import { isConditionalFailure } from './storeErrors';
import { APP_KEY } from './keys';
import type { Store } from './Store';

const DEFAULT_TTL_SECONDS = 14 * 24 * 3600;
/**
 * express-session touches the session on every request with one: a DynamoDB write that the
 * answer waits for. One that would move the expiry by less than this is skipped: a 14-day
 * session then ends at most an hour early, and a page or API call costs no write.
 */
const TOUCH_AFTER_SECONDS = 3600;

/**
 * express-session store on the app table, so sessions survive restarts and are shared by every
 * worker and host. Expired sessions are ignored on read; `ttl` lets DynamoDB's TTL delete them.
 */
export class DynamoSessionStore extends session.Store {
  /** The expiry (ttl) last read or written per session id, in this process. */
  private readonly knownTtl = new Map<string, number>();

  constructor(private readonly store: Store) {
    super();
  }

  private remember(sid: string, ttl: number): void {
    if (this.knownTtl.size >= 10_000) this.knownTtl.clear();
    this.knownTtl.set(sid, ttl);
  }

  override get(sid: string, cb: (err: unknown, session?: session.SessionData | null) => void): void {
    this.store.doc
      .send(new GetCommand({ TableName: this.store.tables.app, Key: APP_KEY.session(sid), ConsistentRead: true }))
      .then((out) => {
        const item = out.Item;
        if (!item || (item.ttl as number) * 1000 <= Date.now()) return cb(null, null);
        this.remember(sid, item.ttl as number);
        cb(null, JSON.parse(item.data as string) as session.SessionData);
      }, cb);
  }

  override set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    const ttl = expiry(sess);
    const userId = (sess as { passport?: { user?: unknown } }).passport?.user;
    const writes = [this.store.doc.send(new PutCommand({ TableName: this.store.tables.app, Item: { ...APP_KEY.session(sid), data: JSON.stringify(sess), ttl } }))];
    // A pointer under the user, so deleting an account finds (and ends) every session of it.
    if (typeof userId === 'string') {
      writes.push(this.store.doc.send(new PutCommand({ TableName: this.store.tables.app, Item: { ...APP_KEY.userSession(userId, sid), ttl } })));
    }
    Promise.all(writes).then(
      () => {
        this.remember(sid, ttl);
        cb?.();
      },
      (err) => cb?.(err),
    );
  }

  override touch(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    const ttl = expiry(sess);
    const known = this.knownTtl.get(sid);
    if (known !== undefined && ttl - known < TOUCH_AFTER_SECONDS) {
      cb?.();
      return;
    }
    this.store.doc
      .send(
        new UpdateCommand({
          TableName: this.store.tables.app,
          Key: APP_KEY.session(sid),
          UpdateExpression: 'SET #ttl = :ttl',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':ttl': ttl },
        }),
      )
      .then(
        () => {
          this.remember(sid, ttl);
          cb?.();
        },
        (err) => cb?.(isConditionalFailure(err) ? undefined : err),
      );
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.knownTtl.delete(sid);
    this.store.doc
      .send(new DeleteCommand({ TableName: this.store.tables.app, Key: APP_KEY.session(sid) }))
      .then(() => cb?.(), (err) => cb?.(err));
  }
}

function expiry(sess: session.SessionData): number {
  const expires = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : Date.now() + DEFAULT_TTL_SECONDS * 1000;
  return Math.ceil(expires / 1000);
}
