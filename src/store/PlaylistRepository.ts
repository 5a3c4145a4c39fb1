import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { APP_KEY } from './keys';
import type { Store } from './Store';

/** What making a playlist did, as the result page and the API show it. */
export interface PlaylistResult {
  id: string;
  created_at: string;
  source: string;
  playlist: { id: string; name: string; description: string; url: string | null; uri: string };
  /** Tracks the source picked. */
  selected: number;
  /** Tracks now in the playlist. */
  added: number;
  /** Picked without a Spotify id and found by search (exact name and artist). */
  matched: number;
  /** Picked without a Spotify id and not found: left out. */
  skipped: number;
  skipped_tracks: { name: string; artist: string }[];
  tracks: { id: string; name: string; artist: string }[];
  /** False when Spotify failed part-way: the playlist exists with `added` tracks, and `error` says why. */
  complete: boolean;
  error: string | null;
}

/**
 * Playlist results (keys.ts: pk="USER#<userId>", sk="PLAYLIST#<resultId>"). One item each: at most
 * MAX_PLAYLIST_TRACKS tracks with names capped at 200 characters stay far below 400 KB.
 */
export class PlaylistRepository {
  constructor(private readonly store: Store) {}

  async put(userId: string, result: PlaylistResult): Promise<void> {
    await this.store.doc.send(new PutCommand({ TableName: this.store.tables.app, Item: { ...APP_KEY.playlistResult(userId, result.id), result } }));
  }

  async get(userId: string, id: string): Promise<PlaylistResult | null> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.store.tables.app, Key: APP_KEY.playlistResult(userId, id), ConsistentRead: true }));
    return (out.Item?.result as PlaylistResult | undefined) ?? null;
  }
}
