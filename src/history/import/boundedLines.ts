import type { Readable } from 'node:stream';
import { ImportFailure } from './ImportFailure';

/** The longest line a JSON Lines file of ours may have (a play is a few hundred characters). */
export const MAX_LINE_CHARS = 1 << 20;

/**
 * The lines of a UTF-8 stream, each at most `maxChars` long: a longer line fails at once, while it
 * is still arriving, so one endless line cannot grow the heap (readline would buffer it whole).
 * Yields [line, lineNumber]; a trailing "\r" is dropped.
 */
export async function* boundedLines(input: Readable, name: string, maxChars = MAX_LINE_CHARS): AsyncGenerator<[string, number]> {
  input.setEncoding('utf8');
  let partial = '';
  let n = 0;
  const tooLong = () => new ImportFailure(`${name}: line ${n + 1} is longer than ${Math.round(maxChars / 1024)} KB; this is not a backup made by this app.`);
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      let start = 0;
      for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
        const piece = chunk.slice(start, nl);
        if (partial.length + piece.length > maxChars) throw tooLong();
        const line = partial + piece;
        partial = '';
        start = nl + 1;
        yield [line.endsWith('\r') ? line.slice(0, -1) : line, ++n];
      }
      partial += chunk.slice(start);
      if (partial.length > maxChars) throw tooLong();
    }
    if (partial.length) yield [partial.endsWith('\r') ? partial.slice(0, -1) : partial, ++n];
  } finally {
    input.destroy();
  }
}
