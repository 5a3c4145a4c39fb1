import { ImportFailure } from '../../src/history/import/ImportFailure';
import { checkEntryCount, checkZipTotal, DEFAULT_LIMITS, historyEntries, isUnsafePath, type ImportLimits, type ZipEntryInfo } from '../../src/history/import/zipSafety';

const MB = 2 ** 20;
const entry = (fileName: string, uncompressedSize = 1000, compressedSize = 500): ZipEntryInfo => ({ fileName, uncompressedSize, compressedSize });
const limits = (l: Partial<ImportLimits> = {}): ImportLimits => ({ ...DEFAULT_LIMITS, ...l });
const refused = (entries: ZipEntryInfo[], l?: Partial<ImportLimits>) => {
  try {
    historyEntries(entries, limits(l));
  } catch (err) {
    expect(err).toBeInstanceOf(ImportFailure);
    return (err as Error).message;
  }
  throw new Error('the zip was accepted');
};

describe('zip entry safety', () => {
  it('keeps every .json (its content decides), sorted with numbers in order, each with the format its name suggests', () => {
    const got = historyEntries([
      entry('Spotify Extended Streaming History/Streaming_History_Audio_2019-2020_10.json'),
      entry('Spotify Extended Streaming History/Streaming_History_Audio_2018-2019_2.json'),
      entry('Spotify Account Data/StreamingHistory_music_0.json'),
      entry('Spotify Account Data/StreamingHistory_podcast_0.json'),
      entry('Spotify Account Data/Userdata.json'),
      entry('Spotify Account Data/'),
      entry('ReadMeFirst.pdf'),
    ], limits());
    expect(got.map(({ entry: e, format }) => [e.fileName.split('/').pop(), format])).toEqual([
      ['StreamingHistory_music_0.json', 'account'],
      ['StreamingHistory_podcast_0.json', 'account-podcast'],
      ['Userdata.json', null],
      ['Streaming_History_Audio_2018-2019_2.json', 'extended'],
      ['Streaming_History_Audio_2019-2020_10.json', 'extended'],
    ]);
  });

  it('ignores the __MACOSX resource forks a Mac zips beside each file', () => {
    const got = historyEntries([
      entry('__MACOSX/Spotify Account Data/._StreamingHistory_music_0.json'),
      entry('__MACOSX/._Streaming_History_Audio_2020.json'),
      entry('Spotify Account Data/StreamingHistory_music_0.json'),
    ], limits());
    expect(got.map((g) => g.entry.fileName)).toEqual(['Spotify Account Data/StreamingHistory_music_0.json']);
  });

  it('refuses parent-directory paths, even in entries it would ignore', () => {
    expect(refused([entry('../../etc/StreamingHistory_music_0.json')])).toMatch(/unsafe path/);
    expect(refused([entry('Spotify/../../evil.txt')])).toMatch(/unsafe path/);
    expect(refused([entry('Spotify\\..\\evil.txt')])).toMatch(/unsafe path/);
    expect(isUnsafePath('a/..b/c.json')).toBe(false);
  });

  it('refuses absolute paths and drive letters', () => {
    expect(refused([entry('/tmp/StreamingHistory_music_0.json')])).toMatch(/unsafe path/);
    expect(refused([entry('C:/Users/x/StreamingHistory_music_0.json')])).toMatch(/unsafe path/);
    expect(refused([entry('c:evil.json')])).toMatch(/unsafe path/);
  });

  it('refuses an entry that expands beyond the ratio as a zip bomb whatever its size, but not one under 1 MiB unpacked', () => {
    expect(refused([entry('Streaming_History_Audio_2020.json', 200 * MB, 1 * MB)])).toMatch(/expands 200× when unpacked: rejected as a zip bomb/);
    expect(refused([entry('Streaming_History_Audio_2020.json', 5 * MB, 1024)])).toMatch(/expands 5120× when unpacked/);
    expect(historyEntries([entry('Streaming_History_Audio_2020.json', MB, 1024)], limits())).toHaveLength(1);
    expect(historyEntries([entry('Streaming_History_Audio_2020.json', 50 * MB, 1 * MB)], limits())).toHaveLength(1);
  });

  it('refuses an entry larger than the entry limit and files adding up past the total limit', () => {
    expect(refused([entry('StreamingHistory_music_0.json', 11 * MB, 5 * MB)], { maxEntryBytes: 10 * MB })).toMatch(/larger than 10 MB uncompressed/);
    expect(refused([entry('StreamingHistory_music_0.json', 6 * MB, 5 * MB), entry('StreamingHistory_music_1.json', 6 * MB, 5 * MB)], { maxTotalBytes: 10 * MB })).toMatch(/add up to more than/);
    // Files that are not history do not count towards the total.
    expect(historyEntries([entry('StreamingHistory_music_0.json', 6 * MB, 5 * MB), entry('video.mp4', 600 * MB, 590 * MB)], limits({ maxTotalBytes: 10 * MB }))).toHaveLength(1);
  });

  it('refuses a zip whose entries together expand beyond the ratio of the zip itself, each harmless alone', () => {
    const many = Array.from({ length: 30 }, (_, i) => entry(`junk/${i}.txt`, MB - 1, 1024));
    expect(() => checkZipTotal(many, 40 * 1024, limits())).toThrow(/The zip's files expand \d+× when unpacked/);
    expect(() => checkZipTotal(many.slice(0, 1), 2048, limits())).not.toThrow();
  });

  it('refuses a zip with more entries than the limit', () => {
    const many = Array.from({ length: 11 }, (_, i) => entry(`junk/${i}.txt`));
    expect(refused(many, { maxEntries: 10 })).toBe('The zip has more than 10 entries.');
    expect(() => checkEntryCount(10, limits({ maxEntries: 10 }))).not.toThrow();
    expect(() => checkEntryCount(11, limits({ maxEntries: 10 }))).toThrow(ImportFailure);
  });
});
