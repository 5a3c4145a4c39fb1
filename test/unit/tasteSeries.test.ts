import { DEFAULT_RULES } from '../../src/history/countingRules';
import { artistsForGenres, computeTaste, tasteFacts } from '../../src/history/tasteSeries';
import type { TrackFeatures } from '../../src/features/FeatureProvider';
import { columnsOf, play } from '../helpers/historyColumns';

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const X = 'X'.repeat(22);
const Y = 'Y'.repeat(22);
const Z = 'Z'.repeat(22);
const FEATURES: Record<string, Partial<TrackFeatures>> = {
  [X]: { energy: 0.8, valence: 0.6, danceability: 0.5, tempo: 120 },
  [Z]: { energy: 0.2, valence: 0.1, danceability: 0.3, tempo: 80.04 },
};
const GENRES: Record<string, string[]> = { Rockers: ['rock', 'pop'], Jazzers: ['jazz'] };
const enrichment = { status: 'done' as const, tracks_pending: 0, artists_pending: 0, provider: 'test', note: null, error: null };

const cols = columnsOf([
  play({ ts: at('2024-01-03T10:00:00Z'), artist: 'Rockers', name: 'X', trackId: X, ms: 40 * MIN }),
  play({ ts: at('2024-01-20T10:00:00Z'), artist: 'Unknowns', name: 'Y', trackId: Y, ms: 20 * MIN }),
  play({ ts: at('2024-02-10T10:00:00Z'), artist: 'Jazzers', name: 'Z', trackId: Z, ms: 60 * MIN }),
  play({ ts: at('2024-02-11T10:00:00Z'), artist: 'Jazzers', name: 'Z', trackId: Z, ms: 60 * MIN, incognito: true }), // left out by the default rules
  play({ ts: at('2024-02-12T10:00:00Z'), kind: 'episode', artist: 'Show', name: 'Ep', ms: 90 * MIN }), // not music: no taste
]);
const facts = tasteFacts(cols, (id) => (FEATURES[id] as TrackFeatures | undefined) ?? null, (artist) => GENRES[artist]);
const taste = (q: Partial<Parameters<typeof computeTaste>[2]> = {}) =>
  computeTaste(cols, facts, { from: null, to: null, tz: 'UTC', rules: DEFAULT_RULES, granularity: 'month', ...q }, enrichment);

describe('taste over time from columns', () => {
  it('per month: listening time, features weighted by time, genre shares split evenly over an artist\'s genres', () => {
    const t = taste();
    expect(t.periods).toEqual([
      { period: '2024-01', ms: 60 * MIN, features_ms: 40 * MIN, energy: 0.8, valence: 0.6, danceability: 0.5, tempo: 120, genres_ms: 40 * MIN, genres: { rock: 0.5, pop: 0.5, jazz: 0 } },
      { period: '2024-02', ms: 60 * MIN, features_ms: 60 * MIN, energy: 0.2, valence: 0.1, danceability: 0.3, tempo: 80, genres_ms: 60 * MIN, genres: { jazz: 1, rock: 0, pop: 0 } },
    ]);
    expect(t.genres).toEqual(['jazz', 'pop', 'rock']);
  });

  it('coverage counts tracks with and without features, and the shares of time they cover', () => {
    expect(taste().coverage).toEqual({
      ms_played: 120 * MIN, features_ms: 100 * MIN, features_share: 0.8333, genres_ms: 100 * MIN, genres_share: 0.8333,
      tracks: 3, tracks_with_features: 2, tracks_without_id: 0,
    });
  });

  it('names the most upbeat and the calmest period among those features cover well enough', () => {
    const t = taste();
    expect(t.most_upbeat).toEqual({ period: '2024-01', valence: 0.6 });
    expect(t.calmest).toEqual({ period: '2024-02', energy: 0.2 });
  });

  it('weeks start on Mondays, and a range keeps only its days', () => {
    const t = taste({ granularity: 'week', from: '2024-01-01', to: '2024-01-31' });
    expect(t.periods.map((p) => [p.period, p.ms])).toEqual([['2024-01-01', 40 * MIN], ['2024-01-15', 20 * MIN]]);
  });

  it('counting rules decide what counts: a private session counts once the rule says so', () => {
    const t = taste({ rules: { ...DEFAULT_RULES, incognito: 'count' } });
    expect(t.periods[1].ms).toBe(120 * MIN);
  });

  it('without any facts, no features or genres, and no extremes', () => {
    const bare = computeTaste(cols, tasteFacts(cols, () => undefined, () => undefined), { from: null, to: null, tz: 'UTC', rules: DEFAULT_RULES, granularity: 'month' }, enrichment);
    expect(bare.periods[0]).toMatchObject({ features_ms: 0, energy: null, genres_ms: 0, genres: {} });
    expect(bare.most_upbeat).toBeNull();
    expect(bare.coverage.features_share).toBe(0);
  });

  it('genres are looked up for the artists making up 95% of the listening time, largest first', () => {
    const c = columnsOf([
      play({ ts: at('2024-03-01T10:00:00Z'), artist: 'Big', ms: 90 * MIN }),
      play({ ts: at('2024-03-01T12:00:00Z'), artist: 'Middle', ms: 9 * MIN }),
      play({ ts: at('2024-03-01T13:00:00Z'), artist: 'Tiny', ms: 1 * MIN }),
      play({ ts: at('2024-03-01T14:00:00Z'), kind: 'episode', artist: 'Show', ms: 500 * MIN }),
    ]);
    expect(artistsForGenres(c)).toEqual(['Big', 'Middle']);
  });
});
