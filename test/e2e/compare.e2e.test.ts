import type { Page } from 'playwright-core';
import { browserSuite, loginInBrowser, screenshotPath, watchErrors } from '../helpers/browser';

jest.setTimeout(120_000);

const ARTIST_CHARTS = ['chart-features', 'chart-tempo', 'chart-keys', 'chart-modes', 'chart-durations', 'chart-years'];
const TASTE_CHARTS = ['chart-features', 'chart-tempo', 'chart-means'];

async function expectDrawn(page: Page, ids: string[]): Promise<void> {
  for (const id of ids) {
    await page.waitForSelector(`#${id}[data-drawn="1"]`, { timeout: 20_000 });
    expect(await page.locator(`#${id} .main-svg`).count()).toBeGreaterThan(0);
  }
}

describe('browser: compare artists, and your taste with an artist', () => {
  const ctx = browserSuite();

  /** Two mid-sized artists of different genres: enough releases and tracks for every chart to say something. */
  function twoArtists() {
    const artists = [...ctx.t.sandbox.catalog.artists.values()].filter((x) => x.albumIds.length >= 8 && x.albumIds.length <= 16 && /^[A-Za-z ]+$/.test(x.name));
    const a = artists[0];
    const b = artists.find((x) => !x.genres.some((g) => a.genres.includes(g)))!;
    return [a, b];
  }

  it('goes from the artist page to the comparison, draws every chart, without console or CSP errors', async () => {
    const [a, b] = twoArtists();
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(`${ctx.t.url}/artists/${a.id}`);
    await page.waitForSelector('#artist-name', { timeout: 60_000 });
    // A Spotify link works as well as an id.
    await page.fill('#compare-b', `https://open.spotify.com/artist/${b.id}?si=e2e`);
    await page.click('#compare-form button[type="submit"]');
    await page.waitForURL(/\/compare\?a=/);
    // The second artist may still be fetching: the progress page reloads by itself.
    await page.waitForSelector('#compare-title', { timeout: 60_000 });
    expect((await page.textContent('#compare-title'))?.replace(/\s+/g, ' ').trim()).toBe(`${a.name} vs ${b.name}`);
    expect(await page.textContent('#similarity-score')).toMatch(/^\d{1,3}$/);
    expect(await page.textContent('#similarity-explanation')).toMatch(/^\d{1,3}\/100: .+\.$/);
    await expectDrawn(page, ARTIST_CHARTS);
    await page.click('#how-computed summary');
    expect(await page.isVisible('#how-computed p')).toBe(true);
    expect(await page.locator('#means-table tbody tr').count()).toBe(10);
    await page.screenshot({ path: screenshotPath('compare-artists'), fullPage: true });
    expect(errors).toEqual([]);

    const phone = await ctx.browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const phoneErrors = watchErrors(phone);
    await phone.goto(`${ctx.t.url}/compare?a=${a.id}&b=${b.id}`);
    await expectDrawn(phone, ARTIST_CHARTS);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: screenshotPath('compare-artists-phone'), fullPage: true });
    expect(phoneErrors).toEqual([]);
  });

  it('compares the logged-in listener\'s taste with an artist, on desktop and phone', async () => {
    const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await loginInBrowser(page, ctx.t.url, 'ava.demo');
    // The first dashboard visit builds the summary behind a loading page that navigates by itself.
    await page.waitForSelector('#top-artists', { timeout: 30_000 });
    const top = await (await page.request.get(`${ctx.t.url}/api/me/top?type=artists&range=medium_term`)).json();
    const artist = top.items[2] as { id: string; name: string };
    await page.goto(`${ctx.t.url}/artists/${artist.id}`);
    await page.waitForSelector('#compare-me', { timeout: 60_000 });
    await page.click('#compare-me');
    await page.waitForSelector('#compare-title', { timeout: 60_000 });
    expect((await page.textContent('#compare-title'))?.replace(/\s+/g, ' ').trim()).toBe(`Your taste vs ${artist.name}`);
    expect(await page.textContent('#similarity-explanation')).toMatch(/^\d{1,3}\/100: your top tracks are .+\.$/);
    await expectDrawn(page, TASTE_CHARTS);
    expect(await page.getAttribute('a.tab[aria-current="page"]', 'href')).toContain('range=medium_term');
    await page.screenshot({ path: screenshotPath('compare-me'), fullPage: true });
    await page.click('a.tab[href*="range=short_term"]');
    await page.waitForURL(/range=short_term/);
    await expectDrawn(page, TASTE_CHARTS);
    expect(errors).toEqual([]);

    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${ctx.t.url}/compare?me=1&b=${artist.id}`);
    await expectDrawn(phone, TASTE_CHARTS);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: screenshotPath('compare-me-phone'), fullPage: true });
    await context.close();
  });

  it('shows a hostile artist name as text, with no script run', async () => {
    const [, b] = twoArtists();
    const id = ctx.t.sandbox.catalog.notable.hostileArtistId;
    const name = ctx.t.sandbox.catalog.artists.get(id)!.name;
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.goto(`${ctx.t.url}/compare?a=${id}&b=${b.id}`);
    await page.waitForSelector('#compare-title', { timeout: 60_000 });
    expect(await page.textContent('#compare-title .side-a-text')).toBe(name);
    await expectDrawn(page, ARTIST_CHARTS);
    await page.hover('#chart-keys .main-svg');
    await page.hover('#chart-features .main-svg');
    expect(dialogs).toBe(0);
    expect(errors).toEqual([]);
    await page.screenshot({ path: screenshotPath('compare-hostile'), fullPage: false });
  });
});
