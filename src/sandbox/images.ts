/** Generated SVG covers and avatars: a genre-coloured square with the entity's initials. */
import type { Request, Response } from 'express';
import type { Catalog } from './catalog';
import { findListener } from './listeners';
import { hashString } from './random';

const xml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

function initials(name: string): string {
  const words = name.split(/[\s\-_/]+/).map((w) => w.replace(/^[^\p{L}\p{N}]+/u, '')).filter(Boolean);
  const letters = words.slice(0, 2).map((w) => Array.from(w)[0]);
  return (letters.join('') || Array.from(name)[0] || '?').toUpperCase();
}

export function svgImage(name: string, colourKey: string, size: number, round: boolean): string {
  const hue = hashString(colourKey) % 360;
  const hue2 = (hue + 40) % 360;
  const shape = round
    ? `<circle cx="50" cy="50" r="50" fill="url(#g)"/>`
    : `<rect width="100" height="100" fill="url(#g)"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100" role="img">` +
    `<title>${xml(name)}</title><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">` +
    `<stop offset="0" stop-color="hsl(${hue},65%,45%)"/><stop offset="1" stop-color="hsl(${hue2},70%,25%)"/></linearGradient></defs>` +
    `${shape}<text x="50" y="50" dy=".35em" text-anchor="middle" font-family="sans-serif" font-size="34" fill="#fff">${xml(initials(name))}</text></svg>`;
}

export function imageHandler(catalog: Catalog) {
  return (req: Request, res: Response): void => {
    const kind = String(req.params.kind);
    const id = String(req.params.file).replace(/\.svg$/, '');
    const size = Math.min(1000, Math.max(16, Number(req.query.size) || 640));
    let name: string | undefined;
    let key = '';
    if (kind === 'artist') {
      const a = catalog.artists.get(id);
      name = a?.name;
      key = a?.genres[0] ?? id;
    } else if (kind === 'album') {
      const al = catalog.albums.get(id);
      name = al?.name;
      key = al?.genre || id;
    } else if (kind === 'user') {
      const l = findListener(id);
      name = l?.displayName;
      key = l?.taste[0]?.[0] ?? id;
    }
    if (name === undefined) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.set('Cache-Control', 'public, max-age=86400');
    res.type('image/svg+xml').send(svgImage(name, key, size, kind !== 'album'));
  };
}
