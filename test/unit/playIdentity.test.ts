import { CAPTURE_PLATFORM, playKey, type Play } from '../../src/history/play';
import { CAPTURE_TOLERANCE_MS, crossDistance, newPlays, precisionOf } from '../../src/history/playIdentity';
import { play } from '../helpers/historyColumns';

const at = (iso: string) => Date.parse(iso);
/** Account data: minute precision, nothing but the time, the track and the milliseconds. */
const account = (iso: string, ms: number, name = 'Low Tide'): Play => play({ ts: at(iso), ms, name });
/** Extended history: second precision, platform and flags known. */
const extended = (iso: string, ms: number, extra: Partial<Play> = {}): Play =>
  play({ ts: at(iso), ms, name: 'Low Tide', platform: 'iOS', skipped: false, shuffle: false, offline: false, incognito: false, ...extra });
/** Live capture: played_at to the millisecond, ms = the track's length. */
const captured = (iso: string, ms = 201_000): Play => play({ ts: at(iso), ms, name: 'Low Tide', platform: CAPTURE_PLATFORM });

describe('play identity', () => {
  it('tells the three precisions apart', () => {
    expect(precisionOf(account('2024-06-01T10:15:00Z', 1000))).toBe('minute');
    expect(precisionOf(extended('2024-06-01T10:15:00Z', 1000))).toBe('second');
    expect(precisionOf(captured('2024-06-01T10:15:31.250Z'))).toBe('capture');
  });

  it('same-minute-replay: a 0.4 s skip and the 124 s replay ending in the same minute are two plays, whichever comes first', () => {
    const skip = account('2024-06-01T10:15:00Z', 412);
    const replay = account('2024-06-01T10:15:00Z', 124_000);
    expect(newPlays([], [skip, replay])).toEqual([skip, replay]);
    expect(newPlays([], [replay, skip])).toEqual([replay, skip]);
    // A day stored by the old rule held only the fragment: the replay comes back, the fragment is not doubled.
    expect(newPlays([skip], [skip, replay])).toEqual([replay]);
  });

  it('same-second-distinct: two extended entries with one ts but different ms, platform or flags are two plays', () => {
    const a = extended('2024-02-02T08:00:00Z', 1200, { skipped: true });
    const b = extended('2024-02-02T08:00:00Z', 201_000, { platform: 'Windows' });
    const c = extended('2024-02-02T08:00:00Z', 1200, { skipped: true, platform: 'Windows' });
    expect(newPlays([], [a, b, c])).toHaveLength(3);
  });

  it('only exact duplicates are one play: re-imports and a file twice add nothing', () => {
    const plays = [account('2024-06-01T10:15:00Z', 412), extended('2024-06-01T11:00:07Z', 5000), captured('2024-06-01T12:00:00.123Z')];
    expect(newPlays(plays, plays.map((p) => ({ ...p })))).toEqual([]);
    expect(newPlays([], [...plays, ...plays])).toEqual(plays);
    expect(playKey(plays[0])).toBe(playKey({ ...plays[0], name: 'LOW TIDE' }));
  });

  it('account data and extended history of the same play are one play: same minute, same ms played', () => {
    const minute = account('2024-06-01T10:15:00Z', 124_000);
    const second = extended('2024-06-01T10:15:42Z', 124_000);
    expect(crossDistance(minute, second)).toBe(42_000);
    expect(newPlays([minute], [second])).toEqual([]);
    expect(newPlays([second], [minute])).toEqual([]);
    // Another minute or other milliseconds: another play.
    expect(newPlays([minute], [extended('2024-06-01T10:16:02Z', 124_000)])).toHaveLength(1);
    expect(newPlays([minute], [extended('2024-06-01T10:15:42Z', 124_001)])).toHaveLength(1);
  });

  it('pairs one to one: two extended plays never both pair with one account entry', () => {
    const minute = account('2024-06-01T10:15:00Z', 5000);
    const a = extended('2024-06-01T10:15:10Z', 5000);
    const b = extended('2024-06-01T10:15:50Z', 5000, { platform: 'Windows' });
    expect(newPlays([minute], [a, b])).toEqual([b]);
  });

  it('a captured play pairs with the imported play of its track within the tolerance, in either order', () => {
    const imported = account('2024-06-01T10:15:00Z', 201_000);
    const capture = captured('2024-06-01T10:15:37.500Z');
    expect(newPlays([imported], [capture])).toEqual([]);
    expect(newPlays([capture], [imported])).toEqual([]);
    const exact = extended('2024-06-01T10:15:35Z', 198_000);
    expect(newPlays([exact], [capture])).toEqual([]);
    // Beyond the tolerance: two plays.
    const far = captured(new Date(at('2024-06-01T10:16:00Z') + CAPTURE_TOLERANCE_MS + 1).toISOString());
    expect(newPlays([imported], [far])).toEqual([far]);
    // Another track: two plays.
    expect(newPlays([account('2024-06-01T10:15:00Z', 201_000, 'Lanterns')], [capture])).toEqual([capture]);
  });

  it('a capture pairs with the full play, not a skipped fragment of the same minute: nothing is lost, nothing doubled', () => {
    const fragment = account('2024-06-01T10:15:00Z', 412);
    const full = account('2024-06-01T10:15:00Z', 124_000);
    const capture = captured('2024-06-01T10:15:20Z', 124_500);
    // Capture first, export second: the full play pairs with the capture, the fragment is new.
    expect(newPlays([capture], [fragment, full])).toEqual([fragment]);
    // Two captures of one track and one export entry: one pairs, the other is a play of its own.
    const second = captured('2024-06-01T10:17:30Z', 124_500);
    expect(newPlays([full], [capture, second])).toEqual([second]);
  });

  it('never pairs two plays of the same precision, however close', () => {
    expect(crossDistance(captured('2024-06-01T10:15:20Z'), captured('2024-06-01T10:15:21Z'))).toBeNull();
    expect(crossDistance(account('2024-06-01T10:15:00Z', 1), account('2024-06-01T10:15:00Z', 2))).toBeNull();
  });
});
