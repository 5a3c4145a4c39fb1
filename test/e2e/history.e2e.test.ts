import type { Browser } from 'playwright-core';
import { launchBrowser, screenshotPath } from '../helpers/browser';
import { startTestApp, type TestApp } from '../helpers/harness';

jest.setTimeout(90_000);

describe('browser: listening history', () => {
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

  it('imports the demo export with one click, watches it finish, and draws the heatmaps', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${t.url}/`);
    await page.click('#login');
    await page.waitForURL(/\/authorize/);
    await page.check('input[name="listener"][value="ava.demo"]');
    await page.click('#approve');
    await page.waitForURL(/\/dashboard/);
    await page.goto(`${t.url}/history`);
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
});
