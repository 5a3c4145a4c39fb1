import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { APP_KEY } from './keys';
import type { Store } from './Store';

/** Names (as in the history) the person moved to podcasts, or back to music. */
export interface PodcastChoices {
  as_podcast: string[];
  as_music: string[];
  /** Names Spotify's show search found by their exact name (ShowSearchService). */
  shows_found: string[];
}

/** A person's podcast/music choices for names in their history (keys.ts: sk="PODCASTS"). */
export class PodcastChoiceRepository {
  constructor(private readonly store: Store) {}

  async get(userId: string): Promise<PodcastChoices> {
    const out = await this.store.doc.send(new GetCommand({ TableName: this.store.tables.app, Key: APP_KEY.podcastChoices(userId) }));
    const item = out.Item ?? {};
    const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    return { as_podcast: list(item.as_podcast), as_music: list(item.as_music), shows_found: list(item.shows_found) };
  }

  async put(userId: string, choices: PodcastChoices): Promise<void> {
    await this.store.doc.send(new PutCommand({ TableName: this.store.tables.app, Item: { ...APP_KEY.podcastChoices(userId), ...choices } }));
  }
}
