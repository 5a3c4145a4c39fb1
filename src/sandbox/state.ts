/** Shared mutable state of one sandbox instance: options, catalog, tokens, stats and faults. */
import { randomBytes } from 'node:crypto';
import type { Catalog } from './catalog';
import type { SandboxProfile } from './objects';
import type { SandboxPlaylist } from './playlists';
import { mulberry32 } from './random';

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export interface AccessToken {
  kind: 'user' | 'app';
  clientId: string;
  listenerId?: string;
  scopes: Set<string>;
  expiresAt: number;
}

export interface RefreshToken {
  clientId: string;
  listenerId: string;
  scope: string;
  expiresAt: number;
  revoked: boolean;
}

export interface AuthCode {
  clientId: string;
  listenerId: string;
  redirectUri: string;
  scope: string;
  expiresAt: number;
  used: boolean;
}

export interface SandboxStats {
  /** Web API requests (/v1/...), answered with errors or not. */
  total: number;
  /** "METHOD /path/{id}" → count, for everything but /_sandbox/*, /images/* and /previews/*. */
  by_endpoint: Record<string, number>;
}

/** Pseudo-statuses for failNext: the connection is reset, the JSON body is cut short, or it is not JSON. */
export const FAULT_RESET = 0;
export const FAULT_TRUNCATED = 1;
export const FAULT_MALFORMED = 2;
/** Pseudo-status for failNext: this request is let through untouched (no random failure either). */
export const FAULT_PASS = -1;
/** Pseudo-status for failNext: the request is never answered, so the client's timeout decides. */
export const FAULT_STALL = -2;

/** Where a fault applies: the Web API (default) or one of the enrichment stand-ins. */
export type FaultTarget = 'v1' | 'reccobeats' | 'musicbrainz';

/**
 * Runtime fault knobs. latencyMs, failRate and rateLimit apply to the Web API (/v1) only; the
 * ReccoBeats and MusicBrainz stand-ins fail only when asked with failNext(n, status, target).
 */
export interface FaultControl {
  latencyMs: number;
  /** Share (0..1) of /v1 requests answered 500, drawn from a seeded PRNG (runs repeat). */
  failRate: number;
  /** Max /v1 requests per rolling 30 s window; undefined = unlimited. */
  rateLimit: number | undefined;
  /**
   * The next n requests to `target` (default 'v1') fail with `status` (default 500; 429 carries
   * Retry-After: 1), or with FAULT_RESET / FAULT_TRUNCATED / FAULT_MALFORMED / FAULT_STALL. FAULT_PASS entries let
   * a request through, so a script can space faults out the way a flaky upstream does.
   */
  failNext(n: number, status?: number, target?: FaultTarget): void;
  /** Cancels pending failNext faults. */
  resetNext(): void;
}

export class Faults implements FaultControl {
  latencyMs: number;
  failRate: number;
  rateLimit: number | undefined;
  /** The rolling window rateLimit counts in (ms). */
  readonly rateWindowMs: number;
  readonly pending: Record<FaultTarget, Array<{ status: number }>> = { v1: [], reccobeats: [], musicbrainz: [] };
  /** Timestamps of /v1 requests admitted in the current window. */
  readonly window: number[] = [];
  readonly random = mulberry32(0x5eed);

  constructor(latencyMs: number, failRate: number, rateLimit: number | undefined, rateWindowMs: number) {
    this.rateWindowMs = rateWindowMs;
    this.latencyMs = latencyMs;
    this.failRate = failRate;
    this.rateLimit = rateLimit;
  }

  failNext(n: number, status = 500, target: FaultTarget = 'v1'): void {
    for (let i = 0; i < n; i++) this.pending[target].push({ status });
  }

  resetNext(): void {
    for (const k of Object.keys(this.pending) as FaultTarget[]) this.pending[k].length = 0;
  }
}

export interface ResolvedOptions {
  profile: SandboxProfile;
  tokenTtlSeconds: number;
  clientId: string;
  clientSecret: string;
  redirectUris: string[] | undefined;
  /** Imitate the real service's quirks (quirks.ts). */
  quirks: boolean;
}

export interface SandboxState {
  opts: ResolvedOptions;
  catalog: Catalog;
  /** Recent plays end shortly before this instant (the sandbox's creation time). */
  anchorMs: number;
  tokens: Map<string, AccessToken>;
  refreshTokens: Map<string, RefreshToken>;
  codes: Map<string, AuthCode>;
  stats: SandboxStats;
  faults: Faults;
  /** Playlists created through the Web API, by id (playlists.ts). */
  playlists: Map<string, SandboxPlaylist>;
}

export const randomToken = (prefix: string, bytes = 48): string => prefix + randomBytes(bytes).toString('base64url');

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
