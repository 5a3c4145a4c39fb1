/**
 * The compare page's similarity score: pure functions, so the formula is tested on its own and
 * written down once (SIMILARITY_METHOD is shown on the page and in the JSON).
 */

/** The dashboard's taste features (all on 0–1) and tempo (BPM). */
export const COMPARED_FEATURES = ['energy', 'danceability', 'valence', 'acousticness', 'instrumentalness', 'speechiness', 'liveness', 'tempo'] as const;
export type ComparedFeature = (typeof COMPARED_FEATURES)[number];
export type FeatureMeans = Record<ComparedFeature, number | null>;

/** Tempo is mapped onto 0–1 over this range (BPM), clamped, so it weighs like the other features. */
export const TEMPO_SCALE = { min: 50, max: 200 } as const;

/** An RMS difference of this much (or more) on the 0–1 scale scores 0. */
const ZERO_AT_RMS = 0.5;

export const SIMILARITY_METHOD =
  `Each side is the average of its tracks' energy, danceability, valence, acousticness, instrumentalness, speechiness, liveness (all 0–1) and tempo ` +
  `(mapped from ${TEMPO_SCALE.min}–${TEMPO_SCALE.max} BPM onto 0–1). ` +
  `score = 100 × (1 − 2 × d), at least 0, where d is the root mean square of the differences between the two sides' averages ` +
  `over the features both sides have; identical averages score 100, a typical gap of 0.25 per feature scores 50.`;

export interface FeatureDifference {
  feature: ComparedFeature;
  a: number;
  b: number;
  /** a − b on the 0–1 scale (tempo normalised). */
  difference: number;
}

export interface SimilarityScore {
  /** 0–100, or null when the two sides share no feature. */
  score: number | null;
  /** Root mean square of the normalised differences; null with the score. */
  distance: number | null;
  differences: FeatureDifference[];
}

/** A feature value on the common 0–1 scale: tempo mapped from 50–200 BPM, the others as they are. */
export function normalise(feature: ComparedFeature, value: number): number {
  if (feature === 'tempo') return clamp01((value - TEMPO_SCALE.min) / (TEMPO_SCALE.max - TEMPO_SCALE.min));
  return clamp01(value);
}

/** Similarity of two feature profiles (see SIMILARITY_METHOD). Missing features on either side are left out. */
export function similarity(a: Partial<FeatureMeans>, b: Partial<FeatureMeans>): SimilarityScore {
  const differences: FeatureDifference[] = [];
  for (const feature of COMPARED_FEATURES) {
    const va = a[feature];
    const vb = b[feature];
    if (!isNum(va) || !isNum(vb)) continue;
    differences.push({ feature, a: va, b: vb, difference: normalise(feature, va) - normalise(feature, vb) });
  }
  if (differences.length === 0) return { score: null, distance: null, differences };
  const distance = Math.sqrt(differences.reduce((s, d) => s + d.difference ** 2, 0) / differences.length);
  const score = Math.round(100 * Math.max(0, 1 - distance / ZERO_AT_RMS));
  return { score, distance, differences };
}

/** Who is compared, for the sentence: `a` is the sentence's subject. */
/** "Juniper Vale's", "The Satellites'" */
export function possessive(name: string): string {
  return /s$/i.test(name) ? `${name}'` : `${name}'s`;
}

export interface SimilaritySubjects {
  /** e.g. "your top tracks" or "Juniper Vale's catalog" */
  a: string;
  aPlural: boolean;
  /** e.g. "Juniper Vale's catalog" */
  b: string;
}

const ADJECTIVE: Record<ComparedFeature, string> = {
  energy: 'energetic',
  danceability: 'danceable',
  valence: 'upbeat',
  acousticness: 'acoustic',
  instrumentalness: 'instrumental',
  speechiness: 'wordy',
  liveness: 'live-sounding',
  tempo: 'fast',
};

const HEADLINE = new Set<ComparedFeature>(['energy', 'danceability', 'valence', 'acousticness', 'tempo']);

/** Below this (on the 0–1 scale) two averages read as "about the same". */
const SAME = 0.05;

/**
 * One sentence that explains a score: where the two sides are closest and where they differ most,
 * with the numbers, e.g. "78/100: your top tracks are about as energetic as X's catalog but much
 * more upbeat (valence 0.62 vs 0.41)."
 */
export function explainSimilarity(result: SimilarityScore, who: SimilaritySubjects): string {
  const be = who.aPlural ? 'are' : 'is';
  if (result.score === null) return `No similarity score: ${who.a} and ${who.b} have no audio feature in common to compare.`;
  const sorted = [...result.differences].sort((x, y) => Math.abs(x.difference) - Math.abs(y.difference) || order(x) - order(y));
  // "About as …" reads best on the features people hear first; speechiness and liveness are low for most music.
  const closest = sorted.find((d) => HEADLINE.has(d.feature)) ?? sorted[0];
  const biggest = sorted[sorted.length - 1];
  const head = `${result.score}/100: ${who.a} ${be}`;
  if (Math.abs(biggest.difference) < 1e-9) {
    return `${result.score}/100: ${who.a} and ${who.b} have identical averages on all ${sorted.length} features compared.`;
  }
  if (Math.abs(biggest.difference) < SAME) {
    return `${head} nearly the same as ${who.b} on every feature compared (largest gap: ${values(biggest)}).`;
  }
  if (sorted.length === 1) return `${head} ${comparative(biggest)} than ${who.b} (${values(biggest)}).`;
  if (Math.abs(closest.difference) < SAME) {
    return `${head} about as ${ADJECTIVE[closest.feature]} as ${who.b} but ${comparative(biggest)} (${values(biggest)}).`;
  }
  const second = sorted[sorted.length - 2];
  return `${head} ${comparative(biggest)} and ${comparative(second)} than ${who.b} (${values(biggest)}; ${values(second)}).`;
}

function comparative(d: FeatureDifference): string {
  const size = Math.abs(d.difference);
  const degree = size < 0.08 ? 'a little ' : size < 0.15 ? '' : 'much ';
  if (d.feature === 'tempo') return `${degree}${d.difference > 0 ? 'faster' : 'slower'}`;
  return `${degree}${d.difference > 0 ? 'more' : 'less'} ${ADJECTIVE[d.feature]}`;
}

function values(d: FeatureDifference): string {
  if (d.feature === 'tempo') return `tempo ${Math.round(d.a)} vs ${Math.round(d.b)} BPM`;
  return `${d.feature} ${d.a.toFixed(2)} vs ${d.b.toFixed(2)}`;
}

function order(d: FeatureDifference): number {
  return COMPARED_FEATURES.indexOf(d.feature);
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
