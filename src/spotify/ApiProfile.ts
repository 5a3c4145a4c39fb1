export type ApiProfileName = 'extended' | 'development';

/**
 * Which Spotify API profile this app has (SPOTIFY.md "Two API profiles"). Configured, or detected
 * once from a batch endpoint's answer (403 in Development Mode) and then remembered, so the
 * detection request is never repeated.
 */
export class ApiProfile {
  private detected?: ApiProfileName;
  private detecting?: Promise<ApiProfileName>;

  constructor(readonly configured: 'auto' | ApiProfileName) {}

  /** The profile if known without a request. */
  get known(): ApiProfileName | undefined {
    return this.configured === 'auto' ? this.detected : this.configured;
  }

  /** Resolves the profile, running `probe` (true = batch endpoints work) at most once per process. */
  async resolve(probe: () => Promise<boolean>): Promise<ApiProfileName> {
    const known = this.known;
    if (known) return known;
    this.detecting ??= probe()
      .then((batchWorks) => (this.detected = batchWorks ? 'extended' : 'development'))
      .finally(() => (this.detecting = undefined));
    return this.detecting;
  }

  /** A batch endpoint answered 403 although we thought it would work: Development Mode after all. */
  downgrade(): void {
    this.detected = 'development';
  }

  get pageLimit(): number {
    return this.known === 'extended' ? 50 : 10;
  }
}
