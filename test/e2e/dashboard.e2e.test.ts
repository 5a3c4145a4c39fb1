import { browserSuite, loginInBrowser, screenshotPath, watchErrors } from '../helpers/browser';

jest.setTimeout(90_000);


describe('browser: the dashboard', () => {
  const ctx = browserSuite();

  it('loads, switches ranges, draws its charts, and fits a phone screen', async () => {
    const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Tokyo' });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await loginInBrowser(page, ctx.t.url, 'rin.demo');
    // The first visit shows a loading page, then the dashboard itself.
    await page.waitForSelector('#top-artists', { timeout: 30_000 });
    for (const id of ['chart-genres', 'chart-taste', 'chart-decades', 'chart-hours']) {
      await page.waitForSelector(`#${id}[data-drawn="1"]`, { timeout: 20_000 });
    }
    expect(await page.textContent('#tz-name')).toBe('Asia/Tokyo');
    // Long lists show their top 10; "show all" opens the rest.
    expect(await page.locator('#top-artists li').count()).toBe(10);
    expect(await page.locator('#top-artists-more li').count()).toBe(40);
    expect(await page.locator('#top-artists-more li').first().isVisible()).toBe(false);
    await page.click('#top-artists-more summary');
    expect(await page.locator('#top-artists-more li').first().isVisible()).toBe(true);
    expect(await page.locator('#top-artists li:visible, #top-artists-more li:visible').count()).toBe(50);
    await page.click('#top-artists-more summary');
    await page.screenshot({ path: screenshotPath('dashboard-desktop'), fullPage: true });

    for (const range of ['short_term', 'long_term']) {
      await page.click(`a.tab[data-range="${range}"]`);
      await page.waitForURL(new RegExp(`range=${range}`));
      await page.waitForSelector('#chart-taste[data-drawn="1"]');
      expect(await page.getAttribute(`a.tab[data-range="${range}"]`, 'aria-current')).toBe('page');
    }
    expect(errors).toEqual([]);

    const phone = await ctx.browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    await phone.context().addCookies(await context.cookies());
    await phone.goto(`${ctx.t.url}/dashboard?range=medium_term`);
    await phone.waitForSelector('#chart-genres[data-drawn="1"]');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: screenshotPath('dashboard-phone'), fullPage: false });
  });

  it('follows the system theme, and keeps the one picked with the switch', async () => {
    const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await loginInBrowser(page, ctx.t.url, 'ava.demo');
    await page.waitForSelector('#chart-genres[data-drawn="1"]', { timeout: 30_000 });
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const chartText = () => page.evaluate(() => document.querySelector('#chart-genres .xtick text')?.getAttribute('style') ?? '');
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(await background()).toBe('rgb(15, 17, 21)');
    const darkChartText = await chartText();

    await page.click('#theme-toggle');
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    expect(await background()).toBe('rgb(245, 246, 248)');
    // The charts redraw with the light theme's colours.
    await page.waitForFunction((before) => (document.querySelector('#chart-genres .xtick text')?.getAttribute('style') ?? '') !== before, darkChartText);

    // Kept in this browser: a reload (and the system still saying dark) stays light, from the first paint.
    await page.reload();
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    expect(await background()).toBe('rgb(245, 246, 248)');
    await page.screenshot({ path: screenshotPath('dashboard-light'), fullPage: false });
    expect(errors).toEqual([]);
    await context.close();
  });
});
