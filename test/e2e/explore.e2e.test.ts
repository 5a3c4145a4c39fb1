import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { browserSuite, loginInBrowser, screenshotPath, watchErrors } from '../helpers/browser';
import { ext } from '../helpers/history';

jest.setTimeout(240_000);

const noOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe('browser: explore your own listening', () => {
  const ctx = browserSuite();

  it('walks from a history list to a personal artist page, switches periods, and finds the last play of a track in the play log', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await loginInBrowser(page, ctx.t.url, 'ava.demo');
    await page.goto(`${ctx.t.url}/history`);
    await page.click('#demo-import');
    await page.waitForSelector('#history-top-artists li a', { timeout: 90_000 });

    // From the top artists of the history to the personal page of the first.
    const artist = (await page.textContent('#history-top-artists li:first-child a'))!.trim();
    await page.click('#history-top-artists li:first-child a');
    await page.waitForURL(/\/me\/artists\/[0-9a-f]{16}/);
    expect((await page.textContent('#personal-name'))!.trim()).toBe(artist);
    for (const id of ['chart-personal-months', 'chart-personal-rank', 'chart-personal-share', 'chart-personal-hours']) await page.waitForSelector(`#${id}[data-drawn="1"]`, { timeout: 20_000 });
    expect(await page.textContent('#personal-rank')).toBe('#1');
    expect(Number((await page.textContent('#personal-plays'))!.replace(/\D/g, ''))).toBeGreaterThan(10);
    expect(await page.locator('#personal-top-tracks li').count()).toBeGreaterThan(0);
    expect(await page.textContent('#personal-skip-coverage')).toMatch(/Skip rate over the [\d,]+ of [\d,]+ entries/);
    await page.screenshot({ path: screenshotPath('explore-artist-desktop'), fullPage: true });

    // Periods: a year from the picker, then the last 90 days, then all time; the URL keeps each.
    const allPlays = await page.textContent('#personal-plays');
    // A year or a month hides behind "A year, a month or dates…" until opened (it stays open while one is chosen).
    expect(await page.isVisible('#period-year')).toBe(false);
    await page.click('.period-more summary');
    const year = await page.locator('#period-year option').nth(1).getAttribute('value');
    await page.selectOption('#period-year', year!);
    await page.click('#period-year >> xpath=ancestor::form//button');
    await page.waitForURL(new RegExp(`period=${year}`));
    expect((await page.textContent('#period-label'))!.trim()).toBe(year);
    expect(await page.getAttribute('#period-picker', 'data-period')).toBe(year);
    await page.click('#period-picker a[data-period="90d"]');
    await page.waitForURL(/period=90d/);
    expect(await page.getAttribute('#period-picker a[data-period="90d"]', 'aria-current')).toBe('page');
    await page.click('#period-picker a[data-period="all"]');
    await page.waitForURL(/period=all/);
    expect(await page.textContent('#personal-plays')).toBe(allPlays);

    // A track of that artist, then the play log: one search says when it was last played.
    const track = (await page.textContent('#personal-top-tracks li:first-child a'))!.trim();
    await page.goto(`${ctx.t.url}/history/plays`);
    expect(await page.locator('#play-log li').count()).toBe(50);
    // Infinite scrolling: the next page arrives when the end of the list comes into view.
    await page.locator('#play-more').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelectorAll('#play-log li').length >= 100);
    await page.screenshot({ path: screenshotPath('explore-plays-desktop') });
    await page.fill('#play-q', `${track} ${artist}`);
    await page.click('#play-filters button[type="submit"]');
    await page.waitForSelector('#last-played');
    const answer = (await page.textContent('#last-played'))!.replace(/\s+/g, ' ').trim();
    expect(answer).toContain(`You last played ${track} by ${artist} on`);
    expect((await page.textContent('#play-log li:first-child .track-body strong'))!.trim()).toBe(track);
    // The answer's time is the first row's: the newest play of it.
    const rowTime = (await page.textContent('#play-log li:first-child .play-time'))!.trim();
    expect(answer).toContain(rowTime);
    await page.locator('#last-played').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('explore-last-played-desktop') });
    expect(errors).toEqual([]);

    // The same pages on a phone.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('#last-played');
    expect(await noOverflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath('explore-plays-phone') });
    await page.goBack();
    await page.goto(`${ctx.t.url}/history`);
    await page.click('#history-top-artists li:first-child a');
    await page.waitForSelector('#chart-personal-months[data-drawn="1"]');
    expect(await noOverflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath('explore-artist-phone'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('compares two artists by typing a name, with mistakes said inline', async () => {
    const artists = [...ctx.t.sandbox.catalog.artists.values()].filter((x) => x.albumIds.length >= 4 && x.albumIds.length <= 12 && /^[A-Za-z]+ [A-Za-z]+$/.test(x.name));
    const [a, b] = artists;
    for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
      const page = await ctx.browser.newPage({ viewport });
      const errors = watchErrors(page);
      await page.goto(`${ctx.t.url}/artists/${a.id}`);
      await page.waitForSelector('#artist-name', { timeout: 60_000 });
      await page.fill('#compare-b', 'qqqzzzxxy');
      await page.waitForSelector('#compare-b-error:not([hidden])');
      expect(await page.textContent('#compare-b-error')).toContain('No artist found for “qqqzzzxxy”');
      await page.fill('#compare-b', '');
      await page.type('#compare-b', b.name.slice(0, 6), { delay: 30 });
      await page.waitForSelector('#compare-b-list .compare-suggestion');
      await page.fill('#compare-b', b.name);
      const option = page.locator('#compare-b-list .compare-suggestion', { hasText: b.name }).first();
      await option.waitFor();
      if (viewport.width < 500) await page.screenshot({ path: screenshotPath('explore-compare-typing-phone') });
      else await page.screenshot({ path: screenshotPath('explore-compare-typing-desktop') });
      await option.click();
      expect(await page.inputValue('#compare-b')).toBe(b.name);
      await page.click('#compare-form button[type="submit"]');
      await page.waitForURL(new RegExp(`/compare\\?a=${a.id}&b=${b.id}`));
      await page.waitForSelector('#compare-title', { timeout: 60_000 });
      expect((await page.textContent('#compare-title'))!.replace(/\s+/g, ' ').trim()).toBe(`${a.name} vs ${b.name}`);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('watches an import\'s progress advance: bytes and files read, entries stored, a bar; no empty state and no demo button meanwhile', async () => {
    // A large enough export that the import takes a few seconds: 3 files in a zip would need a zip writer; one big file reads in one pass.
    const file = path.join(os.tmpdir(), `Streaming_History_Audio_e2e_${process.pid}.json`);
    const out = fs.createWriteStream(file);
    out.write('[');
    const start = Date.parse('2015-01-01T00:00:00Z');
    for (let i = 0; i < 150_000; i++) {
      const e = ext(new Date(start + i * 1_800_000).toISOString().replace('.000', ''), `Song ${i % 5000}`, `Artist ${i % 300}`, 180_000 + (i % 7) * 1000);
      out.write((i ? ',' : '') + JSON.stringify(e));
    }
    out.write(']');
    await new Promise<void>((r) => out.end(() => r()));
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    try {
      await loginInBrowser(page, ctx.t.url, 'marcus.demo');
      await page.goto(`${ctx.t.url}/history`);
      await page.waitForSelector('#history-empty');
      await page.setInputFiles('#upload-file', file);
      await page.click('#upload-form button[type="submit"]');
      await page.waitForURL(/\/history#imports/);
      await page.waitForSelector('.job-bar');
      expect(await page.locator('#history-empty').count()).toBe(0);
      expect(await page.locator('#history-importing').count()).toBe(1);
      expect(await page.isDisabled('#demo-import')).toBe(true);
      // Sample the job's line and bar while it runs (the page polls the job API every second).
      const seen: { text: string; value: number }[] = [];
      let shot = false;
      for (let i = 0; i < 600; i++) {
        const status = await page.getAttribute('.job', 'data-status').catch(() => 'done');
        if (status === 'done' || status === 'failed' || !(await page.locator('.job-bar').count())) break;
        const text = (await page.textContent('.job-progress').catch(() => '')) ?? '';
        const value = Number(await page.getAttribute('.job-bar', 'value').catch(() => '0')) || 0;
        if (!seen.length || seen[seen.length - 1].text !== text) seen.push({ text, value });
        if (!shot && value > 0) {
          await page.locator('#imports').screenshot({ path: screenshotPath('explore-import-progress') });
          shot = true;
        }
        await page.waitForTimeout(100);
      }
      // At least two different readings, advancing: reading (MB and entries) or writing (entries stored).
      const progress = seen.filter((s) => /^(Reading|Writing):/.test(s.text));
      expect(progress.length).toBeGreaterThanOrEqual(2);
      for (let k = 1; k < progress.length; k++) expect(progress[k].value).toBeGreaterThanOrEqual(progress[k - 1].value);
      expect(progress.some((s) => /Reading: [\d.]+ of [\d.]+ MB, [01] of 1 files, [\d,]+ entries read/.test(s.text) || /Writing: [\d,]+ of 150,000 entries stored/.test(s.text))).toBe(true);
      // Done: the page reloads by itself with the statistics.
      await page.waitForSelector('#total-plays', { timeout: 120_000 });
      expect(await page.textContent('#total-plays')).toBe('150,000');
      expect(await page.isDisabled('#demo-import')).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
