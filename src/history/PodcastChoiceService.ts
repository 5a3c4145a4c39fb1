import { BadRequest } from '../errors';
import type { HistoryRepository } from '../store/HistoryRepository';
import type { PodcastChoiceRepository, PodcastChoices } from '../store/PodcastChoiceRepository';

/** How many names one person may move; far more than any history has shows. */
const MAX_CHOICES = 500;

/**
 * The person's own say over what is a podcast: a name (an "artist" of their history) moved to
 * podcasts or back to music. Stored per person and applied when the history is decoded
 * (podcastRecognition), so every statistic follows; the history version moves so caches reload.
 */
export class PodcastChoiceService {
  constructor(
    private readonly o: { repo: PodcastChoiceRepository; history: HistoryRepository; onChanged?: (userId: string) => void },
  ) {}

  choices(userId: string): Promise<PodcastChoices> {
    return this.o.repo.get(userId);
  }

  async set(userId: string, name: string, as: 'podcast' | 'music'): Promise<PodcastChoices> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 500) throw new BadRequest('Give the name as it appears in your history (1 to 500 characters).', 'invalid_name');
    const c = await this.o.repo.get(userId);
    const other = (list: string[]) => list.filter((n) => n.toLowerCase() !== trimmed.toLowerCase());
    const next: PodcastChoices = as === 'podcast'
      ? { ...c, as_podcast: [...other(c.as_podcast), trimmed], as_music: other(c.as_music) }
      : { ...c, as_podcast: other(c.as_podcast), as_music: [...other(c.as_music), trimmed] };
    if (next.as_podcast.length + next.as_music.length > MAX_CHOICES) throw new BadRequest(`At most ${MAX_CHOICES} names can be moved.`, 'too_many_choices');
    await this.o.repo.put(userId, next);
    await this.o.history.bumpVersion(userId);
    this.o.onChanged?.(userId);
    return next;
  }
}
