import { dayOf, dayRowCount, decodeDay, encodeDay, groupByDay, scanDay } from '../../src/history/dayCodec';
import { packFlags, type Play } from '../../src/history/play';
import { play } from '../helpers/historyColumns';

const at = (iso: string) => Date.parse(iso);
const FLAG_VALUES = [true, false, null] as const;

describe('day codec', () => {
  it('round-trips every field of music, episode and audiobook plays', () => {
    const plays: Play[] = [
      { ts: at('2024-03-05T00:00:00Z'), kind: 'music', name: 'First', artist: 'A', album: 'LP', trackId: '4uLU6hMCjMI75M1A2tKUQC', ms: 1, skipped: true, shuffle: false, offline: null, incognito: true, platform: 'Android', country: 'DE' },
      { ts: at('2024-03-05T12:34:56Z'), kind: 'episode', name: 'Ep 1', artist: 'Show', album: null, trackId: null, ms: 3_600_000, skipped: null, shuffle: null, offline: true, incognito: false, platform: 'iOS', country: 'FR' },
      { ts: at('2024-03-05T23:59:59Z'), kind: 'audiobook', name: 'Chapter 3', artist: 'Book', album: null, trackId: null, ms: 86_400_000, skipped: false, shuffle: true, offline: false, incognito: null, platform: null, country: null },
    ];
    expect(decodeDay('2024-03-05', encodeDay('2024-03-05', plays))).toEqual(plays);
  });

  it('round-trips all 81 combinations of true, false and null over the four flags, each packed distinctly', () => {
    const plays: Play[] = [];
    for (const skipped of FLAG_VALUES) for (const shuffle of FLAG_VALUES) for (const offline of FLAG_VALUES) for (const incognito of FLAG_VALUES) {
      plays.push(play({ ts: at('2024-01-01T00:00:00Z') + plays.length * 1000, name: `t${plays.length}`, skipped, shuffle, offline, incognito }));
    }
    expect(plays).toHaveLength(81);
    expect(new Set(plays.map(packFlags)).size).toBe(81);
    expect(decodeDay('2024-01-01', encodeDay('2024-01-01', plays))).toEqual(plays);
  });

  it('keeps unicode names, artists, albums, platforms and countries exactly, commas and newlines included', () => {
    const plays = [
      play({ ts: at('2023-07-01T08:00:00Z'), name: 'Ça va, "ok"?\nNon', artist: '坂本龍一', album: 'Ünïcødé 🎹', platform: 'Sonos, living room', country: 'JP' }),
      play({ ts: at('2023-07-01T09:00:00Z'), name: 'Привет', artist: 'عمرو دياب', album: null }),
    ];
    expect(decodeDay('2023-07-01', encodeDay('2023-07-01', plays))).toEqual(plays);
  });

  it('stores a day sorted by time, repeated tracks sharing one dictionary entry, and counts rows and music', () => {
    const later = play({ ts: at('2022-02-02T20:00:00Z'), name: 'Same' });
    const earlier = play({ ts: at('2022-02-02T10:00:00Z'), name: 'Same' });
    const episode = play({ ts: at('2022-02-02T15:00:00Z'), kind: 'episode', name: 'Talk', artist: 'Pod', ms: 60_000 });
    const item = encodeDay('2022-02-02', [later, episode, earlier]);
    expect(item).toMatchObject({ n: 3, count: 2, ms: 360_000 });
    expect(dayRowCount(item)).toBe(3);
    let entries = 0;
    const rowEntries: number[] = [];
    scanDay('2022-02-02', item, (h) => (entries = h.entries.length), (_ts, entry) => rowEntries.push(entry));
    expect(entries).toBe(2);
    expect(rowEntries).toEqual([0, 1, 0]);
    expect(decodeDay('2022-02-02', item)).toEqual([earlier, episode, later]);
  });

  it('groups plays into UTC days and round-trips several days independently', () => {
    const plays = [
      play({ ts: at('2021-12-31T23:59:59Z'), name: 'Old year' }),
      play({ ts: at('2022-01-01T00:00:00Z'), name: 'New year' }),
      play({ ts: at('2022-01-01T23:00:00Z'), name: 'Evening' }),
      play({ ts: at('2022-01-03T05:00:00Z'), name: 'Later' }),
    ];
    const days = groupByDay(plays);
    expect([...days.keys()]).toEqual(['2021-12-31', '2022-01-01', '2022-01-03']);
    expect(dayOf(at('2022-01-01T23:59:59.999Z'))).toBe('2022-01-01');
    const back = [...days].flatMap(([date, ps]) => decodeDay(date, encodeDay(date, ps)));
    expect(back).toEqual(plays);
  });

  it('encodes an empty day as no rows and decodes it to no plays', () => {
    const item = encodeDay('2020-05-05', []);
    expect(dayRowCount(item)).toBe(0);
    expect(decodeDay('2020-05-05', item)).toEqual([]);
  });

  it('still reads day items written before compression (plain dict, meta and plays attributes)', () => {
    const legacy = { dict: JSON.stringify([['Old', 'Band', null, null, 0]]), meta: JSON.stringify({ p: ['Web player'], c: [] }), plays: '3600,0,200000,3,0,-1', n: 1 };
    expect(decodeDay('2019-01-01', legacy)).toEqual([
      play({ ts: at('2019-01-01T01:00:00Z'), name: 'Old', artist: 'Band', ms: 200_000, skipped: true, platform: 'Web player' }),
    ]);
  });
});
