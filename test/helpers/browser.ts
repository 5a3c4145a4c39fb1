import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOT_DIR = path.resolve(__dirname, '../../test-results/screenshots');

/** Debian's Chromium through playwright-core; no browser is ever downloaded. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: apt-get install -y chromium (see .ci/run)`);
  }
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export function screenshotPath(name: string): string {
  return path.join(SCREENSHOT_DIR, `${name}.png`);
}

/**
 * One app and one browser for a describe block: started before its tests, closed after.
 * `ctx.t` and `ctx.browser` are set once beforeAll has run.
 */
export function browserSuite(): { t: import('./harness').TestApp; browser: Browser } {
  const ctx = {} as { t: import('./harness').TestApp; browser: Browser };
  beforeAll(async () => {
    const { startTestApp } = await import('./harness');
    ctx.t = await startTestApp();
    ctx.browser = await launchBrowser();
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.t?.close();
  });
  return ctx;
}

/** Collects uncaught page errors, console errors and failed responses, which a clean page has none of. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  return errors;
}

/** Logs in through the sandbox consent page as `listener`, as a person would. */
export async function loginInBrowser(page: Page, appUrl: string, listener: string): Promise<void> {
  await page.goto(`${appUrl}/`);
  await page.click('#login');
  await page.waitForURL(/\/authorize/);
  await page.check(`input[name="listener"][value="${listener}"]`);
  await page.click('#approve');
  await page.waitForURL(/\/dashboard/);
}
