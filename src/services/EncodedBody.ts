import crypto from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

export type BodyEncoding = 'br' | 'gzip' | 'identity';

/**
 * A serialized response body kept with its compressed forms and a strong ETag, so a cached
 * document costs one write per request: each encoding is made once (off the event loop, on
 * libuv's pool) and shared by every request for this generation.
 */
export class EncodedBody {
  readonly identity: Buffer;
  /** Strong validator of the content; each encoding gets its own tag (RFC 9110: strong tags name one representation). */
  private readonly hash: string;
  private readonly encoded = new Map<Exclude<BodyEncoding, 'identity'>, Promise<Buffer>>();
  /** The encodings already made, for a synchronous answer (see `ready`). */
  private readonly done = new Map<Exclude<BodyEncoding, 'identity'>, Buffer>();

  constructor(json: string) {
    this.identity = Buffer.from(json);
    this.hash = crypto.createHash('sha256').update(this.identity).digest('base64url').slice(0, 27);
  }

  etag(encoding: BodyEncoding): string {
    return encoding === 'identity' ? `"${this.hash}"` : `"${this.hash}-${encoding === 'br' ? 'br' : 'gz'}"`;
  }

  /** True when an If-None-Match header names any representation of this content (or `*`). */
  matches(ifNoneMatch: string | undefined): boolean {
    if (!ifNoneMatch) return false;
    if (ifNoneMatch.trim() === '*') return true;
    // Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored, and any encoding of the same bytes matches.
    return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '').replace(/-(br|gz)"$/, '"') === `"${this.hash}"`);
  }

  bytes(encoding: BodyEncoding): Promise<Buffer> {
    if (encoding === 'identity') return Promise.resolve(this.identity);
    let p = this.encoded.get(encoding);
    if (!p) {
      // Brotli quality 5 and gzip level 6: most of the size win at a few ms per MB; quality 11 takes seconds.
      p = encoding === 'br'
        ? brotli(this.identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: this.identity.length } })
        : gzip(this.identity, { level: 6 });
      this.encoded.set(encoding, p);
      p.then((b) => this.done.set(encoding, b), () => this.encoded.delete(encoding));
    }
    return p;
  }

  /** The bytes of an encoding when already made (identity always is); undefined until then. */
  ready(encoding: BodyEncoding): Buffer | undefined {
    return encoding === 'identity' ? this.identity : this.done.get(encoding);
  }

  /** Approximate memory held (the identity bytes and their compressed copies, a fraction of it). */
  get weight(): number {
    return Math.ceil(this.identity.length * 1.3);
  }
}
