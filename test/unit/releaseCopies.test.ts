import { collapseReleaseCopies, releaseKey, type ReleaseAlbum, type ReleaseTrack } from '../../src/spotify/releaseCopies';
import { loadSpotifyFixture } from '../helpers/fixtures';

type FullAlbum = ReleaseAlbum & { tracks: { items: ReleaseTrack[]; total: number } };
const copies = () => loadSpotifyFixture<{ albums: FullAlbum[] }>('albums-market-copies-full').albums;
const [marketsA, marketsB, noMarkets] = copies().map((a) => a.id);

describe('collapseReleaseCopies', () => {
  it('per-market copies without a market: keeps the copy with the most markets, drops the [] copy as no_markets', () => {
    const out = collapseReleaseCopies(copies());
    expect(out.albums.map((a) => a.id)).toEqual([marketsA]);
    expect(out.dropped).toEqual([
      { id: marketsB, keptId: marketsA, reason: 'fewer_markets' },
      { id: noMarkets, keptId: marketsA, reason: 'no_markets' },
    ]);
    expect(out.unavailable).toEqual([]);
  });

  it('per-market copies with a market: keeps the copy available there', () => {
    const out = collapseReleaseCopies(copies(), 'US');
    expect(out.albums.map((a) => a.id)).toEqual([marketsB]);
    expect(out.dropped).toEqual([
      { id: marketsA, keptId: marketsB, reason: 'not_playable_in_market' },
      { id: noMarkets, keptId: marketsB, reason: 'no_markets' },
    ]);
  });

  it('is_playable (market given, available_markets left out as in Development Mode) decides too', () => {
    const albums = copies().map(({ available_markets: _m, ...a }, i) => ({ ...a, is_playable: i === 2 }));
    const out = collapseReleaseCopies(albums, 'JP');
    expect(out.albums.map((a) => a.id)).toEqual([noMarkets]);
    expect(out.dropped.map((d) => d.reason)).toEqual(['not_playable_in_market', 'not_playable_in_market']);
  });

  it('with only tracks fetched with the market: the copy whose own tracks play (not relinked) is kept', () => {
    const albums = copies().map(({ available_markets: _m, ...a }) => a);
    const tracks = new Map(albums.map((a, i) => [a.id, a.tracks.items.map((t) => (
      i === 1 ? { ...t, is_playable: true } : { ...t, is_playable: true, linked_from: { id: 'relinked' } }))] as const));
    const out = collapseReleaseCopies(albums, 'US', tracks);
    expect(out.albums.map((a) => a.id)).toEqual([marketsB]);
  });

  it('a market no copy is playable in falls back to the most markets', () => {
    expect(collapseReleaseCopies(copies(), 'ZA').albums.map((a) => a.id)).toEqual([marketsA]);
  });

  it('album_type case and name spacing/case do not split copies (upper-case "ALBUM" seen in real responses)', () => {
    const [a, b] = copies();
    const out = collapseReleaseCopies([a, { ...b, album_type: 'ALBUM', name: ' harbour  LIGHTS ' }]);
    expect(out.albums.map((x) => x.id)).toEqual([marketsA]);
  });

  it('never collapses releases whose track lists differ (same name, type and date, one bonus track)', () => {
    const { albums } = loadSpotifyFixture<{ albums: FullAlbum[] }>('albums-same-name-different-tracks');
    const out = collapseReleaseCopies(albums);
    expect(out.albums).toHaveLength(2);
    expect(out.dropped).toEqual([]);
  });

  it.each([
    ['a duration differs by 1 ms', (t: ReleaseTrack, i: number) => (i === 1 ? { ...t, duration_ms: t.duration_ms + 1 } : t)],
    ['a track name differs', (t: ReleaseTrack, i: number) => (i === 2 ? { ...t, name: `${t.name} (Live)` } : t)],
    ['a track moved to disc 2', (t: ReleaseTrack, i: number) => (i === 0 ? { ...t, disc_number: 2 } : t)],
  ])('never collapses when %s', (_label, change) => {
    const [a, b] = copies();
    const changed = { ...b, tracks: { ...b.tracks, items: b.tracks.items.map(change) } };
    expect(collapseReleaseCopies([a, changed]).albums).toHaveLength(2);
  });

  it('never collapses different release dates, types or artists', () => {
    const [a, b] = copies();
    expect(collapseReleaseCopies([a, { ...b, release_date: '2015-09-12' }]).albums).toHaveLength(2);
    expect(collapseReleaseCopies([a, { ...b, album_type: 'single' }]).albums).toHaveLength(2);
    expect(collapseReleaseCopies([a, { ...b, artists: [{ id: '4eQYPeygXGL7lfyznLaBNy' }] }]).albums).toHaveLength(2);
  });

  it('an album whose complete track list is unknown is kept and compared with nothing', () => {
    const [a, b] = copies();
    const firstPageOnly = { ...b, tracks: { items: b.tracks.items.slice(0, 2), total: 3 } };
    const out = collapseReleaseCopies([a, firstPageOnly]);
    expect(out.albums.map((x) => x.id)).toEqual([marketsA, marketsB]);
    expect(out.unchecked).toEqual([marketsB]);
  });

  it('track lists passed in by id (simplified albums from /artists/{id}/albums) are used', () => {
    const page = loadSpotifyFixture<{ items: ReleaseAlbum[] }>('artist-albums-market-copies');
    const tracks = new Map(copies().map((a) => [a.id, a.tracks.items] as const));
    const out = collapseReleaseCopies(page.items, 'SE', tracks);
    // The unrelated album has no track list given: kept, reported unchecked.
    expect(out.albums.map((a) => a.name)).toEqual(['Harbour Lights', 'Paper Moons']);
    expect(out.albums[0].id).toBe(marketsA);
    expect(out.dropped.map((d) => d.id).sort()).toEqual([marketsB, noMarkets].sort());
    expect(out.unchecked).toEqual([page.items[3].id]);
  });

  it('an album with [] and no twin is kept and reported unavailable', () => {
    const out = collapseReleaseCopies([copies()[2]]);
    expect(out.albums.map((a) => a.id)).toEqual([noMarkets]);
    expect(out.unavailable).toEqual([noMarkets]);
  });

  it('lossless on random discographies: every dropped album has exactly the key of the one kept for it', () => {
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 48271) % 2147483647; return seed % n; };
    for (let round = 0; round < 200; round++) {
      const albums: FullAlbum[] = Array.from({ length: 2 + rnd(6) }, (_, i) => {
        const items = Array.from({ length: 1 + rnd(3) }, (_x, n) => ({ name: `T${rnd(2)}`, duration_ms: 1000 + rnd(2), disc_number: 1, track_number: n + 1 }));
        return {
          id: `album${i}`, name: `N${rnd(2)}`, album_type: rnd(2) ? 'album' : 'ALBUM', release_date: `200${rnd(2)}`,
          available_markets: ['SE', 'US', 'JP'].filter(() => rnd(2) === 1), tracks: { items, total: items.length },
        };
      });
      const out = collapseReleaseCopies(albums, rnd(2) ? 'SE' : undefined);
      const byId = new Map(albums.map((a) => [a.id, a]));
      for (const d of out.dropped) {
        const dropped = byId.get(d.id)!;
        const kept = byId.get(d.keptId)!;
        expect(releaseKey(dropped, dropped.tracks.items)).toBe(releaseKey(kept, kept.tracks.items));
      }
      expect(out.albums.length + out.dropped.length).toBe(albums.length);
      // One album per distinct key survives.
      expect(new Set(out.albums.map((a) => releaseKey(a, a.tracks.items))).size).toBe(out.albums.length);
    }
  });
});
