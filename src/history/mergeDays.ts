import { decodeDay, encodeDay, type StoredDay } from './dayCodec';
import { playKey, type Play } from './play';
import type { HistoryRepository } from '../store/HistoryRepository';

/**
 * Merges plays into their stored days: existing plays stay, a play already there (same minute,
 * same track: playKey) is not added again. Returns how many music plays were new, the day items
 * written, and the music plays offered. Used by the import's second pass and by live capture.
 */
export async function mergeDays(
  repo: HistoryRepository,
  userId: string,
  days: Map<string, Play[]>,
  known?: Set<string>,
): Promise<{ added: number; items: number; plays: number }> {
  // Only days that may exist are read: all of them, or those in `known` (kept up to date here).
  const dates = [...days.keys()].filter((d) => !known || known.has(d));
  const existing = new Map<string, Play[]>();
  for (const [date, item] of await repo.getDays(userId, dates)) existing.set(date, decodeDay(date, item));
  let added = 0;
  let music = 0;
  const items: { date: string; item: StoredDay }[] = [];
  for (const [date, plays] of days) {
    for (const p of plays) if (p.kind === 'music') music++;
    const before = existing.get(date) ?? [];
    const keys = new Set(before.map(playKey));
    const merged = [...before];
    for (const p of plays) {
      const k = playKey(p);
      if (keys.has(k)) continue;
      keys.add(k);
      merged.push(p);
      if (p.kind === 'music') added++;
    }
    if (merged.length !== before.length) items.push({ date, item: encodeDay(date, merged) });
  }
  await repo.putDays(userId, items);
  if (known) for (const d of days.keys()) known.add(d);
  return { added, items: items.length, plays: music };
}
