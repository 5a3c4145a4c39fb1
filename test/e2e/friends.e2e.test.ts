import type { Page } from 'playwright-core';
import { accountId } from '../../src/sandbox/objects';
import { browserSuite, loginInBrowser, screenshotPath, watchErrors } from '../helpers/browser';

jest.setTimeout(300_000);

const noOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Imports the demo listener's own export on /history and waits until its lists show. */
async function importDemo(page: Page, appUrl: string): Promise<void> {
  await page.goto(`${appUrl}/history`);
  await page.click('#demo-import');
  await page.waitForSelector('#history-top-artists li a', { timeout: 120_000 });
}

describe('browser: two listeners become friends', () => {
  const ctx = browserSuite();

  it('invite by link, accept, compare, make a blend playlist, end it', async () => {
    // Two people, two browsers: Ava on a desktop, Marcus on a phone.
    const avaContext = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const marcusContext = await ctx.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const ava = await avaContext.newPage();
    const marcus = await marcusContext.newPage();
    const avaErrors = watchErrors(ava);
    const marcusErrors = watchErrors(marcus);
    await loginInBrowser(ava, ctx.t.url, 'ava.demo');
    await importDemo(ava, ctx.t.url);
    await loginInBrowser(marcus, ctx.t.url, 'marcus.demo');
    await importDemo(marcus, ctx.t.url);

    // Ava makes a link on the Friends page (reached from the menu).
    await ava.click('nav a[href="/friends"]');
    await ava.waitForURL(/\/friends$/);
    expect(await ava.isVisible('#friends-none')).toBe(true);
    await ava.click('#invite-create button');
    const link = await ava.inputValue('#invite-url');
    expect(link).toMatch(/\/friends\/invite\/[A-Za-z0-9_-]{43}$/);
    await ava.screenshot({ path: screenshotPath('friends-invite-desktop'), fullPage: true });

    // Marcus opens it: he sees who invites him, and accepts.
    await marcus.goto(link);
    expect((await marcus.textContent('#invite-from'))!.trim()).toBe('Ava');
    expect(await noOverflow(marcus)).toBeLessThanOrEqual(0);
    await marcus.screenshot({ path: screenshotPath('friends-accept-phone') });
    await marcus.click('#invite-accept');
    await marcus.waitForURL((u) => u.pathname === `/friends/${encodeURIComponent(accountId('ava.demo'))}`);
    expect((await marcus.textContent('#friend-name'))!.trim()).toBe('Ava');
    await marcus.waitForSelector('#chart-friend-months[data-drawn="1"]', { timeout: 30_000 });
    expect(await noOverflow(marcus)).toBeLessThanOrEqual(0);
    await marcus.screenshot({ path: screenshotPath('friends-compare-phone'), fullPage: true });

    // Ava sees Marcus among her friends, and their comparison.
    await ava.goto(`${ctx.t.url}/friends`);
    await ava.click('#friends-list a.friend-name');
    await ava.waitForSelector('#chart-friend-months[data-drawn="1"]', { timeout: 30_000 });
    expect((await ava.textContent('#friend-name'))!.trim()).toBe('Marcus');
    expect(await ava.locator('#friend-shared-artists li').count()).toBeGreaterThan(0);
    expect(await ava.locator('#friend-shared-tracks li').count()).toBeGreaterThan(0);
    expect(await ava.textContent('#friend-score')).toMatch(/^\d+ \/ 100$/);
    await ava.screenshot({ path: screenshotPath('friends-compare-desktop'), fullPage: true });

    // The blend: Spotify asks for the playlist scope once, then the playlist is made.
    const shared = (await ava.locator('#friend-shared-tracks li strong').allTextContents()).map((s) => s.trim());
    await ava.selectOption('#playlist-form-blend select[name="n"]', '10');
    await ava.click('#playlist-form-blend button[type="submit"]');
    await ava.waitForURL(/\/authorize\?/);
    await ava.check('input[name="listener"][value="ava.demo"]');
    await ava.click('#approve');
    await ava.waitForURL(/\/playlists\/made\//);
    expect((await ava.textContent('#playlist-name'))!.trim()).toBe('Blend · you & Marcus');
    const added = Number((await ava.textContent('#playlist-added'))!.trim()) + Number((await ava.textContent('#playlist-matched'))!.trim());
    expect(added).toBe(Math.min(10, shared.length));
    const listed = (await ava.locator('#playlist-tracks li strong').allTextContents()).map((s) => s.trim());
    expect(listed.slice(0, 3)).toEqual(shared.slice(0, 3));
    await ava.screenshot({ path: screenshotPath('friends-blend-desktop'), fullPage: true });

    // Marcus ends it: from then on neither sees the other.
    await marcus.goto(`${ctx.t.url}/friends`);
    await marcus.click('#friends-list form button');
    await marcus.waitForURL(/\/friends$/);
    expect(await marcus.isVisible('#friends-none')).toBe(true);
    const gone = await ava.goto(`${ctx.t.url}/friends/${encodeURIComponent(accountId('marcus.demo'))}`);
    expect(gone!.status()).toBe(404);
    await ava.goto(`${ctx.t.url}/friends`);
    expect(await ava.isVisible('#friends-none')).toBe(true);
    // The one error: the 404 of the ended friendship's page, asked for on purpose.
    const deliberate = (e: string) => e.startsWith('404 ') || e.includes('status of 404');
    expect(avaErrors.filter((e) => !deliberate(e))).toEqual([]);
    expect(avaErrors.filter(deliberate)).toHaveLength(2);
    expect(marcusErrors).toEqual([]);
    await avaContext.close();
    await marcusContext.close();
  });
});
