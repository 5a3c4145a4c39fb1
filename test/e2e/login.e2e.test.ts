import type { Browser } from 'playwright-core';
import { launchBrowser, screenshotPath } from '../helpers/browser';
import { startTestApp, type TestApp } from '../helpers/harness';

describe('browser: log in as a demo listener', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('logs in through the sandbox consent page and shows the dashboard', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    await page.goto(t.url + '/');
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

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(t.url + '/');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: screenshotPath('landing-phone'), fullPage: true });
  });
});
