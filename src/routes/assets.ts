import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import compression from 'compression';
import type { RequestHandler } from 'express';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** A year: the longest max-age caches honour; the URL changes whenever the content does. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
};
const COMPRESSIBLE = new Set(['.js', '.css', '.svg', '.json']);

interface AssetFile {
  file: string;
  hash: string;
  type: string;
  /** Compressed bodies, made on first request and kept: static files never change while the process runs. */
  encoded: Map<'br' | 'gzip', Promise<Buffer>>;
}

export interface StaticAssets {
  /** `asset('js/dashboard.js')` → `/static/js/dashboard.js?v=<content hash>`, for views (app.locals). */
  asset(name: string): string;
  /** Serves fingerprinted URLs (`?v=` equal to the file's hash) precompressed, with an immutable Cache-Control. */
  fingerprinted: RequestHandler;
}

/**
 * Hashes every file under `publicDir` (plus `extra` files mounted elsewhere under /static) once at
 * start-up, so the URL of an asset changes exactly when its content does.
 */
export function staticAssets(publicDir: string, extra: Record<string, string> = {}): StaticAssets {
  const files = new Map<string, AssetFile>();
  const add = (name: string, file: string) => {
    const hash = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('base64url').slice(0, 12);
    files.set(name, { file, hash, type: TYPES[path.extname(file)] ?? 'application/octet-stream', encoded: new Map() });
  };
  for (const entry of fs.readdirSync(publicDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    add(path.relative(publicDir, file).split(path.sep).join('/'), file);
  }
  for (const [name, file] of Object.entries(extra)) add(name, file);

  const asset = (name: string): string => {
    const f = files.get(name);
    if (!f) throw new Error(`No static asset ${name}`);
    return `/static/${name}?v=${f.hash}`;
  };

  const encodedBody = (f: AssetFile, encoding: 'br' | 'gzip'): Promise<Buffer> => {
    let body = f.encoded.get(encoding);
    if (!body) {
      body = fs.promises.readFile(f.file).then((raw) =>
        encoding === 'br'
          ? // Quality 11 takes seconds on plotly's 4.8 MB; 9 is within 10% of its size in a tenth of the time.
            brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: raw.length > 1_000_000 ? 9 : 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })
          : gzip(raw, { level: 9 }),
      );
      f.encoded.set(encoding, body);
      body.catch(() => f.encoded.delete(encoding));
    }
    return body;
  };

  const fingerprinted: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = decodeURIComponent(req.path.replace(/^\//, ''));
    const f = files.get(name);
    if (!f || req.query.v !== f.hash) return next(); // unknown or stale fingerprint: the plain static mount answers
    res.setHeader('Cache-Control', IMMUTABLE);
    res.setHeader('Content-Type', f.type);
    res.setHeader('ETag', `"${f.hash}"`);
    if (!COMPRESSIBLE.has(path.extname(f.file))) return res.sendFile(f.file, { cacheControl: false, etag: false, lastModified: false });
    res.setHeader('Vary', 'Accept-Encoding');
    const encoding = req.acceptsEncodings('br', 'gzip', 'identity');
    if (encoding !== 'br' && encoding !== 'gzip') return res.sendFile(f.file, { cacheControl: false, etag: false, lastModified: false });
    encodedBody(f, encoding).then(
      (body) => {
        res.setHeader('Content-Encoding', encoding);
        res.setHeader('Content-Length', String(body.length));
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      next,
    );
  };
  return { asset, fingerprinted };
}

/**
 * gzip/brotli for dynamic answers (HTML, JSON, CSV). Event streams are left alone: compression
 * would hold their small messages back in its buffer. Precompressed assets already carry a
 * Content-Encoding, which the middleware leaves as it is.
 */
export function compressResponses(): RequestHandler {
  return compression({
    filter: (req, res) => {
      const type = String(res.getHeader('Content-Type') ?? '');
      if (type.startsWith('text/event-stream')) return false;
      return compression.filter(req, res);
    },
  });
}
