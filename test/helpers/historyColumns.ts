import { columnsFromDays, type Columns } from '../../src/history/columns';
import { encodeDay, groupByDay } from '../../src/history/dayCodec';
import type { Play } from '../../src/history/play';

/** A play with defaults for everything a test does not care about. */
export function play(p: Partial<Play> & Pick<Play, 'ts'>): Play {
  return {
    kind: 'music', name: 'Song', artist: 'Artist', album: null, trackId: null, ms: 180_000,
    skipped: null, shuffle: null, offline: null, incognito: null, platform: null, country: null,
    ...p,
  };
}

/** Columns as the stats service builds them: the plays stored as day items, then decoded. */
export function columnsOf(plays: Play[], version = 1): Columns {
  return columnsFromDays([...groupByDay(plays)].map(([date, ps]) => ({ date, item: encodeDay(date, ps) })), version);
}
