import type { Readable } from 'node:stream';
import { formatOfEntry, type HistoryFormat } from './exportFormats';

/** How much of a file is read to find its first entry; an export's first entry is well under 2 kB. */
const SNIFF_MAX_CHARS = 256 * 1024;

/** What the start of a .json file is: a history format, an empty array, or why it is not history. */
/** `malformed`: the first entry is not valid JSON (the full parser says where and what). */
export type Sniffed = { format: HistoryFormat } | { empty: true } | { reason: string; malformed?: true };

/** The first element of a JSON array as text, or null when `text` does not hold all of it yet. */
function firstElement(text: string): { kind: 'object'; json: string } | { kind: 'empty' | 'not-array' | 'not-object' } | null {
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /[\s\uFEFF]/.test(text[i])) i++;
  };
  skipSpace();
  if (i >= text.length) return null;
  if (text[i] !== '[') return { kind: 'not-array' };
  i++;
  skipSpace();
  if (i >= text.length) return null;
  if (text[i] === ']') return { kind: 'empty' };
  if (text[i] !== '{') return { kind: 'not-object' };
  const start = i;
  let depth = 0;
  let inString = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return { kind: 'object', json: text.slice(start, i + 1) };
    }
  }
  return null;
}

/**
 * Reads the start of a file (at most SNIFF_MAX_CHARS) and says which history format its first
 * entry is in, so any .json of an upload is recognised by what it holds, whatever its name.
 */
export async function sniffFormat(input: Readable): Promise<Sniffed> {
  let text = '';
  try {
    for await (const chunk of input) {
      text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
      const first = firstElement(text);
      if (first || text.length >= SNIFF_MAX_CHARS) return judge(first);
    }
    return judge(firstElement(text) ?? (text.trim() ? { kind: 'not-object' } : { kind: 'not-array' }));
  } finally {
    input.destroy();
  }
}

function judge(first: ReturnType<typeof firstElement>): Sniffed {
  if (!first) return { reason: 'its first entry is not a Spotify streaming history entry' };
  if (first.kind === 'empty') return { empty: true };
  if (first.kind === 'not-array') return { reason: 'not a JSON array of entries (not listening history)' };
  if (first.kind !== 'object') return { reason: 'its entries are not objects (not listening history)' };
  let entry: unknown;
  try {
    entry = JSON.parse(first.json);
  } catch {
    return { reason: 'not valid JSON', malformed: true };
  }
  const format = formatOfEntry(entry as Record<string, unknown>);
  if (format) return { format };
  const keys = Object.keys(entry as object).slice(0, 6).join(', ');
  return { reason: `not listening history (its entries have ${keys || 'no keys'})` };
}
