import type { Page } from 'playwright-core';
import { browserSuite, loginInBrowser, screenshotPath, watchErrors } from '../helpers/browser';

jest.setTimeout(240_000);

const noOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe('browser: a playlist from the dashboard', () => {
  const ctx = browserSuite();

  it('makes a playlist of the top 25 tracks: consent for the playlist scope, the result page, then the sandbox page lists it', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await loginInBrowser(page, ctx.t.url, 'ava.demo');
    await page.waitForSelector('#playlist-form-dashboard', { timeout: 90_000 });
    const expected = await page.locator('#top-tracks li strong a').allTextContents();
    await page.selectOption('#playlist-form-dashboard select[name="n"]', '25');
    await page.click('#playlist-form-dashboard button[type="submit"]');

    // Login asked for the minimal scope; now Spotify's consent page asks for the playlist scope too.
    await page.waitForURL(/\/authorize\?/);
    const scopes = await page.locator('#scopes .scope').allTextContents();
    expect(scopes).toContain('playlist-modify-private');
    expect(scopes).toContain('user-top-read');
    await page.screenshot({ path: screenshotPath('playlists-consent') });
    await page.check('input[name="listener"][value="ava.demo"]');
    await page.click('#approve');

    // Back in the app, the waiting request was made into a playlist.
    await page.waitForURL(/\/playlists\/made\//);
    expect((await page.textContent('#playlist-name'))!.trim()).toBe('My top 25 · last 6 months');
    expect((await page.textContent('#playlist-description'))!).toMatch(/^Made by Spotify Data App from your top tracks, 6 months to \d{4}-\d{2}-\d{2}$/);
    expect((await page.textContent('#playlist-added'))!.trim()).toBe('25');
    expect((await page.textContent('#playlist-matched'))!.trim()).toBe('0');
    expect((await page.textContent('#playlist-skipped'))!.trim()).toBe('0');
    const listed = (await page.locator('#playlist-tracks li strong').allTextContents()).map((s) => s.trim());
    expect(listed.slice(0, expected.length)).toEqual(expected.slice(0, 25).map((s) => s.trim()));
    expect(listed).toHaveLength(25);
    await page.screenshot({ path: screenshotPath('playlists-result-desktop'), fullPage: true });

    // The sandbox's page shows what Spotify now holds.
    const href = (await page.getAttribute('#playlist-link', 'href'))!;
    expect(href).toMatch(/\/sandbox\/playlists\/[0-9A-Za-z]{22}$/);
    await page.goto(href);
    expect((await page.textContent('.playlist-name'))!.trim()).toBe('My top 25 · last 6 months');
    expect(await page.locator('.playlist-tracks li').count()).toBe(25);
    expect((await page.textContent('.playlist-tracks li:first-child strong'))!.trim()).toBe(listed[0]);
    await page.screenshot({ path: screenshotPath('playlists-sandbox-page'), fullPage: true });
    await page.goBack();
    await page.click('#playlist-back');
    await page.waitForURL(/\/dashboard/);
    expect(errors).toEqual([]);

    // On a phone: the form and the result page fit.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('#playlist-form-dashboard');
    const wide = await page.evaluate(() => Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map((e) => `${e.tagName}#${e.id}.${e.className}`));
    expect(wide).toEqual([]);
    expect(await noOverflow(page)).toBeLessThanOrEqual(0);
    await page.locator('#playlist-form-dashboard').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('playlists-form-phone') });
    // The scope is granted now: the second playlist is made without a consent page.
    await page.selectOption('#playlist-form-dashboard select[name="n"]', '10');
    await page.click('#playlist-form-dashboard button[type="submit"]');
    await page.waitForURL(/\/playlists\/made\//);
    expect((await page.textContent('#playlist-name'))!.trim()).toBe('My top 10 · last 6 months');
    expect(await noOverflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath('playlists-result-phone'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
