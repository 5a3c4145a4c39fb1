import { browserSuite, screenshotPath, watchErrors } from '../helpers/browser';

describe('browser: log in as a demo listener', () => {
  const ctx = browserSuite();

  it('logs in through the sandbox consent page and shows the dashboard', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(page);
    await page.goto(ctx.t.url + '/');
    await page.screenshot({ path: screenshotPath('landing'), fullPage: true });
    await page.click('#login');
    await page.waitForURL(/\/authorize/);
    const radios = page.locator('input[name="listener"]');
    expect(await radios.count()).toBeGreaterThanOrEqual(3);
    await radios.nth(1).check();
    const chosen = await radios.nth(1).getAttribute('value');
    await page.screenshot({ path: screenshotPath('consent'), fullPage: true });
    await page.click('#approve');
    await page.waitForURL(/\/dashboard$/);
    const name = await page.locator('#display-name').textContent();
    expect(name?.trim().length).toBeGreaterThan(0);
    expect(chosen).toBeTruthy();
    await page.screenshot({ path: screenshotPath('dashboard-login'), fullPage: true });
    expect(errors).toEqual([]);

    const phone = await ctx.browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(ctx.t.url + '/');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: screenshotPath('landing-phone'), fullPage: true });
  });
});
