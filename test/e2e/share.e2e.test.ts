import fs from 'node:fs';
import { browserSuite, loginInBrowser, screenshotPath, watchErrors } from '../helpers/browser';

jest.setTimeout(120_000);

describe('browser: a shared year', () => {
  const ctx = browserSuite();

  it('creates a share link on /settings; the public page reads well on desktop and phone, and its card image renders', async () => {
    const owner = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const ownerErrors = watchErrors(owner);
    await loginInBrowser(owner, ctx.t.url, 'ava.demo');
    await owner.goto(`${ctx.t.url}/history`);
    await owner.click('#demo-import');
    // The job list polls and reloads the page when the import is done; navigating while that
    // reload is under way aborts our navigation, so wait for the reloaded page's content.
    await owner.waitForSelector('#history-top-artists li a', { timeout: 120_000 });
    await ctx.t.services.historyImports.idle();

    await owner.goto(`${ctx.t.url}/settings#share`);
    const years = await owner.locator('#share-year option').allTextContents();
    expect(years.length).toBeGreaterThanOrEqual(3);
    await owner.selectOption('#share-year', years[1]);
    await owner.click('#share-create button[type="submit"]');
    await owner.waitForSelector('#share-table');
    const url = await owner.getAttribute('#share-table a.share-link', 'href');
    expect(url).toMatch(new RegExp(`^${ctx.t.url}/share/[A-Za-z0-9_-]{22}$`));
    await owner.locator('#share').screenshot({ path: screenshotPath('share-settings') });
    expect(ownerErrors).toEqual([]);

    // A visitor without a login: a fresh context has no cookies.
    const visitor = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await visitor.newPage();
    const errors = watchErrors(page); // CSP violations show up as console errors
    await page.goto(url!);
    expect(await page.textContent('#share-title')).toContain(`Ava’s ${years[1]} in music`);
    expect(await page.locator('#share-top-artists li').count()).toBe(5);
    expect(await page.locator('#share-top-tracks li').count()).toBe(5);
    expect(await page.getAttribute('meta[property="og:image"]', 'content')).toBe(`${url}/og.png`);
    await page.screenshot({ path: screenshotPath('share'), fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath('share-phone'), fullPage: true });
    expect(errors).toEqual([]);

    const og = await visitor.request.get(`${url}/og.png`);
    expect(og.status()).toBe(200);
    expect(og.headers()['content-type']).toBe('image/png');
    const png = await og.body();
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 630]);
    fs.writeFileSync(screenshotPath('share-og'), png);
    await visitor.close();
  });
});
