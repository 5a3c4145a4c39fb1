import { classify, DEFAULT_RULES, describeRules, EXCLUDED, PLAY, rulesFrom, TIME_ONLY, type CountingRules } from '../../src/history/countingRules';

// Flag bits as HistoryRepository stores them: value bit, then "known" bit, per boolean.
const SKIPPED = 0b11;
const NOT_SKIPPED = 0b10;
const OFFLINE = 0b11_0000;
const INCOGNITO = 0b1100_0000;
const UNKNOWN = 0; // account-data export: nothing is known

const rules = (r: Partial<CountingRules> = {}): CountingRules => ({ ...DEFAULT_RULES, ...r });

describe('counting rules', () => {
  it('defaults: 30 s, skips count, offline counts, private sessions left out', () => {
    expect(DEFAULT_RULES).toEqual({ min_play_seconds: 30, skipped: 'count', offline: 'count', incognito: 'exclude' });
  });

  it('a play of at least the threshold counts; a shorter one adds time only', () => {
    expect(classify(UNKNOWN, 30_000, rules())).toBe(PLAY);
    expect(classify(UNKNOWN, 29_999, rules())).toBe(TIME_ONLY);
    expect(classify(UNKNOWN, 29_999, rules({ min_play_seconds: 10 }))).toBe(PLAY);
    expect(classify(UNKNOWN, 0, rules({ min_play_seconds: 0 }))).toBe(PLAY);
  });

  it('skipped plays count by default and add time only when the rule says so', () => {
    expect(classify(SKIPPED, 60_000, rules())).toBe(PLAY);
    expect(classify(SKIPPED, 60_000, rules({ skipped: 'time_only' }))).toBe(TIME_ONLY);
    expect(classify(NOT_SKIPPED, 60_000, rules({ skipped: 'time_only' }))).toBe(PLAY);
    expect(classify(UNKNOWN, 60_000, rules({ skipped: 'time_only' }))).toBe(PLAY);
  });

  it('offline plays count by default and are left out entirely when excluded', () => {
    expect(classify(OFFLINE, 60_000, rules())).toBe(PLAY);
    expect(classify(OFFLINE, 60_000, rules({ offline: 'exclude' }))).toBe(EXCLUDED);
    expect(classify(OFFLINE, 5_000, rules({ offline: 'exclude' }))).toBe(EXCLUDED);
  });

  it('private-session plays are left out by default and count when included', () => {
    expect(classify(INCOGNITO, 60_000, rules())).toBe(EXCLUDED);
    expect(classify(INCOGNITO, 60_000, rules({ incognito: 'count' }))).toBe(PLAY);
    expect(classify(INCOGNITO | SKIPPED, 60_000, rules({ incognito: 'count', skipped: 'time_only' }))).toBe(TIME_ONLY);
  });

  it('stored rules are read leniently: missing or invalid fields fall back to the default', () => {
    expect(rulesFrom(undefined)).toEqual(DEFAULT_RULES);
    expect(rulesFrom({ min_play_seconds: 45, skipped: 'bogus' })).toEqual(DEFAULT_RULES);
    expect(rulesFrom({ min_play_seconds: 45 })).toEqual({ ...DEFAULT_RULES, min_play_seconds: 45 });
  });

  it('the sentences state the actual rules', () => {
    const text = describeRules(rules({ min_play_seconds: 45, skipped: 'time_only', offline: 'exclude', incognito: 'count' })).join(' ');
    expect(text).toMatch(/at least 45 seconds/);
    expect(text).toMatch(/skipped adds its listening time but never counts/);
    expect(text).toMatch(/offline .* left out entirely/);
    expect(text).toMatch(/private session count like any other/);
  });
});
