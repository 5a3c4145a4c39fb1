import type { Readable } from 'node:stream';

/** A JSON file that is not a well-formed array of objects; says where. */
export class MalformedJson extends Error {
  constructor(
    readonly file: string,
    /** Character offset from the start of the file. */
    readonly position: number,
    readonly entry: number,
    reason: string,
  ) {
    super(`${file}: ${reason} at character ${position} (entry ${entry + 1})`);
    this.name = 'MalformedJson';
  }
}

/**
 * The longest element accepted (a play is a few hundred characters). The text held unparsed is an
 * unfinished element, so this bounds memory, and the work per read chunk, for any input: a file of
 * one endless element fails after this much instead of being rescanned chunk after chunk.
 */
export const MAX_ELEMENT_CHARS = 1 << 20;

const OPEN_BRACE = 123, CLOSE_BRACE = 125, OPEN_BRACKET = 91, CLOSE_BRACKET = 93, QUOTE = 34, BACKSLASH = 92, COMMA = 44;
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff;

export async function* jsonArrayObjects<T = Record<string, unknown>>(input: Readable, file: string, maxElementChars = MAX_ELEMENT_CHARS): AsyncGenerator<T> {
  for await (const batch of jsonArrayBatches<T>(input, file, maxElementChars)) yield* batch;
}

/**
 * Streams the elements of a top-level JSON array (the shape of every Spotify export file) a chunk
 * at a time, with flat memory, at close to the speed of the native JSON.parse:
 *
 * - fast path: the text up to the chunk's last `}` (or `]`) is parsed as one array. It parses only
 *   if that bracket closes a top-level element (a cut inside a string or a nested value leaves the
 *   text unbalanced), so success proves the cut; on failure the previous one is tried, twice;
 * - slow path: a character scanner that tracks strings and nesting finds the exact boundaries, and
 *   the exact position of any error, which every error carries with the file name.
 */
export async function* jsonArrayBatches<T = Record<string, unknown>>(input: Readable, file: string, maxElementChars = MAX_ELEMENT_CHARS): AsyncGenerator<T[]> {
  input.setEncoding('utf8');
  let buf = ''; // unconsumed text
  let consumed = 0; // characters of the file before buf
  let opened = false;
  let closed = false;
  let entry = 0;
  /** True after an element, until its comma has been consumed. */
  let expectComma = false;

  for await (const chunk of input as AsyncIterable<string>) {
    buf += chunk;
    const out = take(false);
    // What is left is one unfinished element (every complete one was taken).
    if (buf.length > maxElementChars) {
      input.destroy();
      throw new MalformedJson(file, consumed, entry, `an entry is longer than ${Math.round(maxElementChars / 1024)} KB, which no Spotify export has`);
    }
    if (out.length) yield out;
  }
  const rest = take(true);
  if (rest.length) yield rest;
  if (!opened) throw new MalformedJson(file, consumed, entry, 'empty file: expected a JSON array');
  if (!closed) throw new MalformedJson(file, consumed + buf.length, entry, 'unexpected end of file (truncated?)');

  /** Consumes what can be consumed from buf; at the end, everything must be. */
  function take(atEnd: boolean): T[] {
    let i = 0;
    if (!opened) {
      while (i < buf.length && isSpace(buf.charCodeAt(i))) i++;
      if (i === buf.length) return [];
      if (buf.charCodeAt(i) !== OPEN_BRACKET) throw new MalformedJson(file, consumed + i, entry, 'expected a JSON array of plays');
      opened = true;
      advance(i + 1);
      i = 0;
    }
    if (closed) {
      while (i < buf.length && isSpace(buf.charCodeAt(i))) i++;
      if (i < buf.length) throw new MalformedJson(file, consumed + i, entry, 'unexpected text after the end of the array');
      advance(buf.length);
      return [];
    }
    const out: T[] = [];
    // Fast path: cut after the last `}` or `]` (elements are objects, or arrays in a spool).
    const lastEnd = (from: number) => {
      // One backward walk for either bracket (two lastIndexOf calls would each scan the whole
      // buffer when that bracket is absent, as `]` is from an array of objects).
      for (let k = Math.min(from, buf.length - 1); k >= 0; k--) {
        const ch = buf.charCodeAt(k);
        if (ch === CLOSE_BRACE || ch === CLOSE_BRACKET) return k;
      }
      return -1;
    };
    let end = lastEnd(buf.length);
    for (let attempt = 0; attempt < 3 && end > 0; attempt++) {
      const body = stripLeadingComma(buf.slice(0, end + 1));
      if (body !== null) {
        try {
          const items = JSON.parse(`[${body}]`) as T[];
          out.push(...items);
          entry += items.length;
          if (items.length) expectComma = true;
          advance(end + 1);
          break;
        } catch {
          // the cut was inside a string or a nested value: try an earlier `}`
        }
      }
      end = lastEnd(end - 1);
    }
    // Slow path for what is left (a short tail normally; everything when the fast path failed).
    out.push(...scan(atEnd));
    return out;
  }

  /** `, {…}, {…}` → `{…}, {…}` when a comma is due; null when the separators are wrong. */
  function stripLeadingComma(text: string): string | null {
    let i = 0;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    const comma = text.charCodeAt(i) === COMMA;
    if (comma !== expectComma) return null;
    return comma ? text.slice(i + 1) : text.slice(i);
  }

  function advance(n: number): void {
    consumed += n;
    buf = buf.slice(n);
  }

  /**
   * The exact scanner: walks elements one by one, tracking strings (with escapes) and nesting.
   * Stops before an unfinished element unless at the end of the file, where that is an error.
   */
  function scan(atEnd: boolean): T[] {
    const out: T[] = [];
    let i = 0;
    for (;;) {
      while (i < buf.length && isSpace(buf.charCodeAt(i))) i++;
      if (i >= buf.length) break;
      const c = buf.charCodeAt(i);
      if (c === CLOSE_BRACKET) {
        closed = true;
        advance(i + 1);
        i = 0;
        while (i < buf.length && isSpace(buf.charCodeAt(i))) i++;
        if (i < buf.length) throw new MalformedJson(file, consumed + i, entry, 'unexpected text after the end of the array');
        return out;
      }
      if (expectComma) {
        if (c !== COMMA) throw new MalformedJson(file, consumed + i, entry, `unexpected ${JSON.stringify(String.fromCharCode(c))}`);
        expectComma = false;
        i++;
        continue;
      }
      if (c !== OPEN_BRACE && c !== OPEN_BRACKET) throw new MalformedJson(file, consumed + i, entry, `unexpected ${JSON.stringify(String.fromCharCode(c))}`);
      const start = i;
      let depth = 0;
      let inString = false;
      let end = -1;
      for (; i < buf.length; i++) {
        const ch = buf.charCodeAt(i);
        if (inString) {
          if (ch === BACKSLASH) i++;
          else if (ch === QUOTE) inString = false;
          continue;
        }
        if (ch === QUOTE) inString = true;
        else if (ch === OPEN_BRACE || ch === OPEN_BRACKET) depth++;
        else if ((ch === CLOSE_BRACE || ch === CLOSE_BRACKET) && --depth === 0) {
          end = i + 1;
          break;
        }
      }
      if (end < 0) {
        if (atEnd) throw new MalformedJson(file, consumed + start, entry, 'unexpected end of file (truncated?)');
        advance(start);
        return out;
      }
      try {
        out.push(JSON.parse(buf.slice(start, end)) as T);
      } catch (err) {
        throw new MalformedJson(file, consumed + start, entry, `invalid JSON (${(err as Error).message})`);
      }
      entry++;
      expectComma = true;
      i = end;
    }
    advance(i);
    return out;
  }
}
