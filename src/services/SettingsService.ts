import type { ApiTokenService } from './ApiTokenService';
import type { LiveCaptureService } from './LiveCaptureService';
import type { ShareService } from './ShareService';

/** Everything the sections of /settings show for one person, gathered from the services that own each. */
export class SettingsService {
  constructor(private readonly d: { apiTokens: ApiTokenService; shares: ShareService; capture: LiveCaptureService }) {}

  async sections(userId: string) {
    // Visiting /settings enrols a person in live capture (on by default), so the section shows its state.
    await this.d.capture.ensureEnrolled(userId);
    const [tokens, shares, shareYears, capture] = await Promise.all([
      this.d.apiTokens.list(userId),
      this.d.shares.list(userId),
      this.d.shares.years(userId),
      this.d.capture.view(userId),
    ]);
    return { tokens, shares, shareYears, capture };
  }
}
