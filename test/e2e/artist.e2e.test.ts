import { browserSuite, screenshotPath, watchErrors } from '../helpers/browser';

jest.setTimeout(90_000);

describe('browser: search an artist and explore the discography', () => {
  const ctx = browserSuite();

  it('searches, opens the artist page, draws every chart, and sorts and filters the table', async () => {
    const artist = ctx.t.sandbox.catalog.artists.get(ctx.t.sandbox.catalog.notable.largestArtistId)!;
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(`${ctx.t.url}/`);
    await page.fill('#header-q', artist.name);
    await page.press('#header-q', 'Enter');
    await page.waitForURL(/\/search\?q=/);
    await page.screenshot({ path: screenshotPath('search'), fullPage: true });
    await page.click(`a[href="/artists/${artist.id}"]`);
    // The largest artist takes a moment: the progress page polls and reloads by itself.
    await page.waitForSelector('#artist-name', { timeout: 60_000 });
    for (const id of ['chart-years', 'chart-mood', 'chart-dist', 'chart-tempo', 'chart-keys', 'chart-durations']) {
      await page.waitForSelector(`#${id}[data-drawn="1"]`, { timeout: 20_000 });
      expect(await page.locator(`#${id} .main-svg`).count()).toBeGreaterThan(0);
    }
    const rows = page.locator('#track-table tbody tr');
    expect(await rows.count()).toBeGreaterThan(100);
    await page.fill('#track-filter', artist.name.slice(0, 0) + 'zzzz-no-such-track');
    expect(await rows.count()).toBe(0);
    await page.fill('#track-filter', '');
    await page.click('#track-table th[data-key="tempo"] button');
    expect(await page.getAttribute('#track-table th[data-key="tempo"]', 'aria-sort')).toBe('descending');
    await page.screenshot({ path: screenshotPath('artist-desktop'), fullPage: false });
    await page.screenshot({ path: screenshotPath('artist-desktop-full'), fullPage: true });
    expect(errors).toEqual([]);

    const phone = await ctx.browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    await phone.goto(`${ctx.t.url}/artists/${artist.id}`);
    await phone.waitForSelector('#chart-mood[data-drawn="1"]');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: screenshotPath('artist-phone'), fullPage: false });
  });

  it('shows a hostile artist name as text, with no script run', async () => {
    const id = ctx.t.sandbox.catalog.notable.hostileArtistId;
    const name = ctx.t.sandbox.catalog.artists.get(id)!.name;
    const page = await ctx.browser.newPage();
    let dialogs = 0;
    page.on('dialog', (d) => { dialogs++; void d.dismiss(); });
    await page.goto(`${ctx.t.url}/artists/${id}`);
    await page.waitForSelector('#artist-name', { timeout: 30_000 });
    expect((await page.textContent('#artist-name'))?.trim()).toBe(name.trim());
    await page.waitForSelector('#chart-mood[data-drawn="1"]');
    await page.hover('#chart-mood .main-svg');
    expect(dialogs).toBe(0);
    await page.screenshot({ path: screenshotPath('artist-hostile'), fullPage: false });
  });
});
