import path from 'node:path';
import { renderAsync } from '@resvg/resvg-js';
import type { ShareSummary } from './ShareService';

/** Open Graph images are 1200×630 (what Facebook, LinkedIn, Slack and X's large card expect). */
export const OG_WIDTH = 1200;
export const OG_HEIGHT = 630;

// resvg draws text only with fonts it is given. Inter comes from npm, so every machine that ran
// `npm install` has it (a bare Debian CI box has few or no system fonts). System fonts are loaded
// too, only as a fallback for glyphs Inter lacks (CJK, emoji) where the machine has them.
const INTER_DIR = path.dirname(require.resolve('@expo-google-fonts/inter/package.json'));
const FONT_FILES = ['400Regular/Inter_400Regular.ttf', '600SemiBold/Inter_600SemiBold.ttf', '800ExtraBold/Inter_800ExtraBold.ttf'].map((f) => path.join(INTER_DIR, f));

const COLORS = { bg: '#0f1115', surface: '#171a21', border: '#2a2f3a', text: '#eef1f5', muted: '#a3abb9', accent: '#1db954' };

/** Escapes text for SVG (XML) and drops the characters XML 1.0 forbids, which would make the parser fail. */
export function escapeXml(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Rough advance width of a character in Inter, in em: enough to keep long names inside their box. */
function charWidth(c: string): number {
  const cp = c.codePointAt(0)!;
  if (cp >= 0x1100 && (cp <= 0x115f || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xff60) || cp >= 0x1f300)) return 1;
  if (/[ijlI.,:;'|!()[\]ft ]/.test(c)) return 0.32;
  if (/[mwMW@%]/.test(c)) return 0.9;
  if (/[A-Z0-9]/.test(c)) return 0.68;
  return 0.58;
}

/** Cuts text to fit `maxWidth` pixels at `fontSize`, with an ellipsis when it was cut. */
export function fitText(text: string, fontSize: number, maxWidth: number): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  let width = 0;
  for (let i = 0; i < chars.length; i++) {
    width += charWidth(chars[i]) * fontSize;
    if (width > maxWidth) return chars.slice(0, Math.max(1, i - 1)).join('').trimEnd() + '…';
  }
  return chars.join('');
}

const n = (v: number) => v.toLocaleString('en-US');

/** The share card as SVG. Every string from the history goes through escapeXml. */
export function ogSvg(s: ShareSummary): string {
  const t = (x: number, y: number, size: number, weight: number, fill: string, text: string, extra = '') =>
    `<text x="${x}" y="${y}" font-size="${size}" font-weight="${weight}" fill="${fill}"${extra}>${text}</text>`;
  const left = 72;
  const stat = (x: number, y: number, value: string, label: string) =>
    t(x, y, 56, 800, COLORS.text, escapeXml(fitText(value, 56, 250))) + t(x, y + 34, 22, 400, COLORS.muted, escapeXml(label));

  const artists = s.top_artists.slice(0, 5).map((a, i) => {
    const y = 176 + i * 50;
    return t(680, y, 24, 800, COLORS.muted, String(i + 1)) + t(716, y, 28, 600, COLORS.text, escapeXml(fitText(a.name, 28, 380)));
  });
  const track = s.top_tracks[0];
  const streak = s.longest_streak.days;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${OG_WIDTH}" height="${OG_HEIGHT}" viewBox="0 0 ${OG_WIDTH} ${OG_HEIGHT}" font-family="Inter, sans-serif">`,
    '<defs>',
    `<linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#12241a"/><stop offset="0.55" stop-color="${COLORS.bg}"/><stop offset="1" stop-color="#10131a"/></linearGradient>`,
    `<radialGradient id="glow" cx="0.5" cy="0.5" r="0.5"><stop offset="0" stop-color="${COLORS.accent}" stop-opacity="0.35"/><stop offset="1" stop-color="${COLORS.accent}" stop-opacity="0"/></radialGradient>`,
    '</defs>',
    `<rect width="${OG_WIDTH}" height="${OG_HEIGHT}" fill="url(#bg)"/>`,
    `<circle cx="120" cy="90" r="260" fill="url(#glow)"/>`,
    `<rect x="0" y="0" width="${OG_WIDTH}" height="8" fill="${COLORS.accent}"/>`,
    // Brand
    `<circle cx="${left + 12}" cy="82" r="12" fill="${COLORS.accent}"/>`,
    t(left + 36, 90, 24, 600, COLORS.muted, 'Spotify Data App'),
    // Title: "<name>’s" / "<year> in music"
    t(left, 190, 60, 800, COLORS.text, escapeXml(fitText(`${s.display_name}’s`, 60, 520))),
    `<text x="${left}" y="262" font-size="60" font-weight="800" fill="${COLORS.text}"><tspan fill="${COLORS.accent}">${escapeXml(s.year)}</tspan> in music</text>`,
    // Numbers, two by two
    stat(left, 372, n(Math.round(s.hours)), 'hours listened'),
    stat(left + 270, 372, n(s.plays), 'plays'),
    stat(left, 488, streak === 1 ? '1 day' : `${n(streak)} days`, 'longest streak'),
    stat(left + 270, 488, s.top_month ? s.top_month.name : '–', 'top month'),
    // Top artists and the top track
    `<rect x="640" y="64" width="488" height="502" rx="24" fill="${COLORS.surface}" fill-opacity="0.92" stroke="${COLORS.border}" stroke-width="2"/>`,
    t(680, 118, 18, 800, COLORS.accent, 'TOP ARTISTS', ' letter-spacing="2.5"'),
    ...(artists.length ? artists : [t(680, 176, 24, 400, COLORS.muted, 'No plays this year')]),
    `<line x1="680" y1="432" x2="1088" y2="432" stroke="${COLORS.border}" stroke-width="2"/>`,
    t(680, 470, 18, 800, COLORS.accent, 'TOP TRACK', ' letter-spacing="2.5"'),
    track ? t(680, 506, 26, 600, COLORS.text, escapeXml(fitText(track.name, 26, 408))) : t(680, 506, 24, 400, COLORS.muted, '–'),
    track ? t(680, 538, 20, 400, COLORS.muted, escapeXml(fitText(track.artist, 20, 408))) : '',
    '</svg>',
  ].join('');
}

/** Renders the SVG to PNG off the event loop (resvg's thread pool). */
export async function ogPng(svg: string): Promise<Buffer> {
  const image = await renderAsync(svg, {
    fitTo: { mode: 'original' },
    font: { fontFiles: FONT_FILES, loadSystemFonts: true, defaultFontFamily: 'Inter', sansSerifFamily: 'Inter' },
    logLevel: 'off',
  });
  return image.asPng();
}
