import { browserSuite, loginInBrowser, screenshotPath, watchErrors } from '../helpers/browser';

jest.setTimeout(90_000);

describe('browser: listening history', () => {
  const ctx = browserSuite();

  it('imports the demo export with one click, watches it finish, and draws the heatmaps', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await loginInBrowser(page, ctx.t.url, 'ava.demo');
    await page.goto(`${ctx.t.url}/history`);
    await page.waitForSelector('#history-empty');
    await page.click('#demo-import');
    // The job list polls and the page reloads by itself when the import is done.
    await page.waitForSelector('#chart-calendar[data-drawn="1"]', { timeout: 60_000 });
    await page.waitForSelector('#chart-hour-weekday[data-drawn="1"]');
    await page.waitForSelector('#chart-months[data-drawn="1"]');
    expect(await page.getAttribute('.job', 'data-status')).toBe('done');
    expect(await page.locator('#history-top-artists li').count()).toBeGreaterThan(5);
    await page.screenshot({ path: screenshotPath('history-desktop'), fullPage: true });
    expect(errors).toEqual([]);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('#chart-calendar[data-drawn="1"]');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath('history-phone'), fullPage: false });
  });

  it('draws taste over time (features and genre shares) and switches to weeks', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await loginInBrowser(page, ctx.t.url, 'ava.demo');
    await page.goto(`${ctx.t.url}/history`);
    await page.waitForSelector('#chart-taste-features[data-drawn="1"]', { timeout: 60_000 });
    await page.waitForSelector('#chart-taste-genres[data-drawn="1"]');
    // The section refreshes itself until every lookup is done.
    await page.waitForFunction(() => /most upbeat month/.test(document.getElementById('taste-summary')!.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await page.textContent('#taste-coverage')).toMatch(/Features for \d+% of listening time/);
    expect(await page.locator('#chart-taste-genres .legendtext').count()).toBeGreaterThan(3);
    await page.locator('#taste').screenshot({ path: screenshotPath('history-taste') });
    await page.click('[data-granularity="week"]');
    await page.waitForFunction(() => /most upbeat week/.test(document.getElementById('taste-summary')!.textContent ?? ''));
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#taste').scrollIntoViewIfNeeded();
    await page.locator('#taste').screenshot({ path: screenshotPath('history-taste-phone') });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
  });
});
