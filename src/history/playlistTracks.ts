import { rangeOf, type Columns } from './columns';
import type { CountingRules } from './countingRules';
import type { PersonalGroup, PersonalIndex } from './personalIndex';
import { sortTallies, tallyGroups, type Period } from './personalStats';
import { OffsetTable } from './timeZones';

/** A track picked for a playlist from imported history; `id` is null when no play of it had a Spotify id (account-data exports). */
export interface PickedTrack {
  id: string | null;
  name: string;
  artist: string;
  plays: number;
  ms_played: number;
}

/**
 * The most played tracks of a period (by plays or by listening time), optionally only one artist's
 * and only those `keep` accepts (a feature filter), under the person's counting rules. Tracks never
 * counted as a play in the period (only skipped seconds) are left out.
 */
export function topTracksOf(
  c: Columns, idx: PersonalIndex, tz: string, period: Period, rules: CountingRules,
  o: { by: 'plays' | 'ms'; limit: number; artistGroup?: number; keep?: (track: PersonalGroup) => boolean },
): PickedTrack[] {
  const [i0, i1] = rangeOf(c, new OffsetTable(tz), period.from, period.to);
  const out: PickedTrack[] = [];
  for (const [g, t] of sortTallies(tallyGroups(c, idx.trackOf, i0, i1, rules), o.by)) {
    if (out.length >= o.limit) break;
    const track = idx.tracks[g];
    if (t.plays === 0) continue;
    if (o.artistGroup !== undefined && track.artistGroup !== o.artistGroup) continue;
    if (o.keep && !o.keep(track)) continue;
    out.push({ id: track.trackIds[0] ?? null, name: track.name, artist: track.artist, plays: t.plays, ms_played: t.ms });
  }
  return out;
}
