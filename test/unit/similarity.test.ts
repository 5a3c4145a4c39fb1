import { COMPARED_FEATURES, explainSimilarity, normalise, possessive, similarity, type FeatureMeans } from '../../src/services/similarity';

const base: FeatureMeans = {
  energy: 0.6, danceability: 0.55, valence: 0.41, acousticness: 0.2, instrumentalness: 0.05, speechiness: 0.06, liveness: 0.15, tempo: 120,
};
const with_ = (over: Partial<FeatureMeans>): FeatureMeans => ({ ...base, ...over });
const who = { a: 'your top tracks', aPlural: true, b: "X's catalog" };

describe('similarity', () => {
  it('scores identical profiles 100', () => {
    expect(similarity(base, base).score).toBe(100);
    expect(similarity(base, { ...base }).distance).toBe(0);
  });

  it('maps tempo from 50–200 BPM onto 0–1, clamped', () => {
    expect(normalise('tempo', 50)).toBe(0);
    expect(normalise('tempo', 125)).toBe(0.5);
    expect(normalise('tempo', 200)).toBe(1);
    expect(normalise('tempo', 30)).toBe(0);
    expect(normalise('tempo', 260)).toBe(1);
    expect(normalise('energy', 0.37)).toBe(0.37);
  });

  it('is 100 × (1 − 2 × RMS difference) over the shared features', () => {
    // One of eight features differs by 0.4: RMS = sqrt(0.16 / 8) ≈ 0.1414 → 100 × (1 − 0.2828) = 71.7 → 72.
    expect(similarity(base, with_({ valence: 0.81 })).score).toBe(72);
    // Every feature differs by 0.1 (tempo by 15 BPM = 0.1): RMS 0.1 → 80.
    const shifted = Object.fromEntries(COMPARED_FEATURES.map((f) => [f, f === 'tempo' ? base.tempo! + 15 : base[f]! + 0.1])) as FeatureMeans;
    const s = similarity(base, shifted);
    expect(s.distance).toBeCloseTo(0.1, 10);
    expect(s.score).toBe(80);
  });

  it('is symmetric and never below 0', () => {
    const other = with_({ energy: 0.1, valence: 0.9, acousticness: 0.95, tempo: 70 });
    expect(similarity(base, other).score).toBe(similarity(other, base).score);
    const opposite = Object.fromEntries(COMPARED_FEATURES.map((f) => [f, f === 'tempo' ? 200 : 1])) as FeatureMeans;
    const zero = Object.fromEntries(COMPARED_FEATURES.map((f) => [f, f === 'tempo' ? 50 : 0])) as FeatureMeans;
    expect(similarity(opposite, zero).score).toBe(0);
  });

  it('falls with distance', () => {
    const scores = [0, 0.1, 0.2, 0.4].map((d) => similarity(base, with_({ energy: base.energy! + d * 0.9, valence: base.valence! + d })).score!);
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThan(scores[i - 1]);
  });

  it('leaves out features missing on either side, and gives no score when nothing is shared', () => {
    const partial = with_({ liveness: null, speechiness: null });
    const s = similarity(partial, with_({ valence: 0.81 }));
    expect(s.differences.map((d) => d.feature)).not.toContain('liveness');
    expect(s.differences).toHaveLength(6);
    // 0.4 on one of six: RMS = sqrt(0.16 / 6) ≈ 0.1633 → 67.3 → 67.
    expect(s.score).toBe(67);
    const none = Object.fromEntries(COMPARED_FEATURES.map((f) => [f, null])) as FeatureMeans;
    expect(similarity(none, base)).toEqual({ score: null, distance: null, differences: [] });
    expect(similarity({ energy: Number.NaN }, { energy: 0.5 }).score).toBeNull();
  });
});

describe('explainSimilarity', () => {
  it('names the closest feature and the biggest gap with both values, in one sentence', () => {
    const you = with_({ valence: 0.62, energy: 0.6 });
    const s = similarity(you, base);
    expect(explainSimilarity(s, who)).toBe(`${s.score}/100: your top tracks are about as energetic as X's catalog but much more upbeat (valence 0.62 vs 0.41).`);
  });

  it('grades the gap: a little, plain, much', () => {
    expect(explainSimilarity(similarity(with_({ valence: 0.47 }), base), who)).toMatch(/but a little more upbeat \(valence 0\.47 vs 0\.41\)/);
    expect(explainSimilarity(similarity(with_({ valence: 0.52 }), base), who)).toMatch(/but more upbeat \(valence 0\.52 vs 0\.41\)/);
    expect(explainSimilarity(similarity(with_({ valence: 0.9 }), base), who)).toMatch(/but much more upbeat/);
    expect(explainSimilarity(similarity(with_({ acousticness: 0.9 }), base), who)).toMatch(/but much more acoustic \(acousticness 0\.90 vs 0\.20\)/);
    expect(explainSimilarity(similarity(with_({ energy: 0.2 }), base), who)).toMatch(/much less energetic \(energy 0\.20 vs 0\.60\)/);
  });

  it('speaks of tempo as faster or slower, in BPM', () => {
    expect(explainSimilarity(similarity(with_({ tempo: 170 }), base), { a: "A's catalog", aPlural: false, b: "B's" })).toMatch(
      /^\d+\/100: A's catalog is about as .* as B's but much faster \(tempo 170 vs 120 BPM\)\.$/,
    );
  });

  it('names the two biggest gaps when nothing is close', () => {
    const far = Object.fromEntries(COMPARED_FEATURES.map((f) => [f, f === 'tempo' ? base.tempo! - 30 : base[f]! + 0.1])) as FeatureMeans;
    far.valence = 0.9;
    const text = explainSimilarity(similarity(far, base), who);
    expect(text).toBe(`${similarity(far, base).score}/100: your top tracks are much more upbeat and much slower than X's catalog (valence 0.90 vs 0.41; tempo 90 vs 120 BPM).`);
  });

  it('prefers a feature people hear first for "about as", even when a quieter one is closer', () => {
    const s = similarity(with_({ liveness: 0.16, energy: 0.62, valence: 0.8, danceability: 0.7, acousticness: 0.4, tempo: 150 }), base);
    expect(explainSimilarity(s, who)).toMatch(/about as energetic as X's catalog but much more upbeat/);
  });

  it('writes possessives of names ending in s without another s', () => {
    expect(possessive('The Satellites')).toBe("The Satellites'");
    expect(possessive('Juniper Vale')).toBe("Juniper Vale's");
  });

  it('says when the profiles are identical or nearly so, and when there is nothing to compare', () => {
    expect(explainSimilarity(similarity(base, base), who)).toBe("100/100: your top tracks and X's catalog have identical averages on all 8 features compared.");
    expect(explainSimilarity(similarity(with_({ energy: 0.63 }), base), who)).toMatch(/nearly the same as X's catalog on every feature compared \(largest gap: energy 0\.63 vs 0\.60\)/);
    expect(explainSimilarity(similarity({}, base), who)).toMatch(/^No similarity score/);
  });
});
