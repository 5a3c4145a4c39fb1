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

const OPEN_BRACE = 123, CLOSE_BRACE = 125, OPEN_BRACKET = 91, CLOSE_BRACKET = 93, QUOTE = 34, BACKSLASH = 92, COMMA = 44;
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff;

/**
 * Streams the elements of a top-level JSON array of objects (the shape of every Spotify export
 * file) with flat memory: a small scanner finds where each object starts and ends, tracking strings
 * and escapes, and the native JSON.parse reads each object. Much faster than a token-by-token
 * parser, and every error carries the file name and character position.
 */
export async function* jsonArrayObjects(input: Readable, file: string): AsyncGenerator<Record<string, unknown>> {
  input.setEncoding('utf8');
  let state: 'before' | 'between' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let consumed = 0; // characters of the file before `buf`
  let buf = '';
  let objStart = -1; // index in buf where the current object began
  let entry = 0;
  let expectComma = false;

  for await (const chunk of input as AsyncIterable<string>) {
    // Keep only the unfinished object from the previous chunk.
    if (objStart >= 0) {
      consumed += objStart;
      buf = buf.slice(objStart) + chunk;
      const scanFrom = buf.length - chunk.length;
      objStart = 0;
      yield* scan(scanFrom);
    } else {
      consumed += buf.length;
      buf = chunk;
      yield* scan(0);
    }
  }
  if (state === 'before') throw new MalformedJson(file, consumed + buf.length, entry, 'empty file: expected a JSON array');
  if (state !== 'after') throw new MalformedJson(file, consumed + buf.length, entry, 'unexpected end of file (truncated?)');

  function* scan(from: number): Generator<Record<string, unknown>> {
    for (let i = from; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (depth > 0) {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) inString = false;
          continue;
        }
        if (c === QUOTE) inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          depth--;
          if (depth === 0) {
            const text = buf.slice(objStart, i + 1);
            let value: unknown;
            try {
              value = JSON.parse(text);
            } catch (err) {
              throw new MalformedJson(file, consumed + objStart, entry, `invalid JSON (${(err as Error).message})`);
            }
            objStart = -1;
            expectComma = true;
            entry++;
            yield value as Record<string, unknown>;
          }
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (state === 'before') {
        if (c !== OPEN_BRACKET) throw new MalformedJson(file, consumed + i, entry, 'expected a JSON array of plays');
        state = 'between';
      } else if (state === 'between') {
        if (c === CLOSE_BRACKET) state = 'after';
        else if (c === COMMA && expectComma) expectComma = false;
        else if (c === OPEN_BRACE && !expectComma) {
          depth = 1;
          objStart = i;
        } else {
          throw new MalformedJson(file, consumed + i, entry, `unexpected ${JSON.stringify(String.fromCharCode(c))}`);
        }
      } else {
        throw new MalformedJson(file, consumed + i, entry, 'unexpected text after the end of the array');
      }
    }
  }
}
