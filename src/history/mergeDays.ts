import { decodeDay, encodeDay, type StoredDay } from './dayCodec';
import type { Play } from './play';
import { newPlays } from './playIdentity';
import type { HistoryRepository } from '../store/HistoryRepository';

/**
 * Merges plays into their stored days: existing plays stay, a play already there (playIdentity:
 * an exact duplicate, or its copy of another precision) is not added again. Returns how many music
 * plays were new, the day items written, the music plays offered, the plays added per day (what
 * an undo removes), and the items written. Used by the import's second pass and by live capture.
 */
export async function mergeDays(
  repo: HistoryRepository,
  userId: string,
  days: Map<string, Play[]>,
  known?: Set<string>,
  /**
   * Told what is about to be added, before it is written (an import's undo record); `encoded` holds,
   * for the days that were empty, the day's new item (which is exactly the added plays, encoded).
   */
  record?: (addedByDay: Map<string, Play[]>, encoded: Map<string, StoredDay>) => Promise<void>,
): Promise<{ added: number; items: number; plays: number; addedByDay: Map<string, Play[]>; written: { date: string; item: StoredDay }[] }> {
  // Only days that may exist are read: all of them, or those in `known` (kept up to date here).
  const dates = [...days.keys()].filter((d) => !known || known.has(d));
  const existing = new Map<string, Play[]>();
  for (const [date, item] of await repo.getDays(userId, dates)) existing.set(date, decodeDay(date, item));
  let added = 0;
  let music = 0;
  const items: { date: string; item: StoredDay }[] = [];
  const addedByDay = new Map<string, Play[]>();
  const encoded = new Map<string, StoredDay>();
  for (const [date, plays] of days) {
    for (const p of plays) if (p.kind === 'music') music++;
    const before = existing.get(date) ?? [];
    const fresh = newPlays(before, plays);
    if (fresh.length === 0) continue;
    for (const p of fresh) if (p.kind === 'music') added++;
    addedByDay.set(date, fresh);
    const item = encodeDay(date, [...before, ...fresh]);
    if (before.length === 0) encoded.set(date, item);
    items.push({ date, item });
  }
  if (record) await record(addedByDay, encoded);
  await repo.putDays(userId, items);
  if (known) for (const d of days.keys()) known.add(d);
  return { added, items: items.length, plays: music, addedByDay, written: items };
}
