import fs from 'node:fs';
import { readZip } from '../helpers/zip';
import { browserSuite, loginInBrowser, screenshotPath, watchErrors } from '../helpers/browser';

jest.setTimeout(120_000);

describe('browser: settings, counting rules, backup and account deletion', () => {
  const ctx = browserSuite();

  it('captures now, changes a counting rule, downloads a backup, and deletes the account', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const errors = watchErrors(page);
    await loginInBrowser(page, ctx.t.url, 'rin.demo');

    // Live capture is on by default; "Capture now" fills the history with the recent plays.
    await page.goto(`${ctx.t.url}/settings`);
    expect(await page.textContent('#capture-status')).toBe('On');
    await page.click('#capture-now');
    await page.waitForURL(/\/settings/);
    expect(Number((await page.textContent('#capture-last-added'))!.replace(/\D/g, ''))).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('settings'), fullPage: true });

    // A counting rule changed on /how-we-count is stated there and used by the statistics.
    await page.goto(`${ctx.t.url}/history`);
    const before = Number((await page.textContent('#total-plays'))!.replace(/\D/g, ''));
    await page.goto(`${ctx.t.url}/how-we-count`);
    await page.fill('#min-play', '600');
    await page.click('#counting-rules button[type="submit"]:not([name])');
    await page.waitForURL(/saved=1/);
    expect(await page.textContent('#rules')).toContain('at least 600 seconds');
    await page.screenshot({ path: screenshotPath('how-we-count'), fullPage: true });
    await page.goto(`${ctx.t.url}/history`);
    expect(Number((await page.textContent('#total-plays'))!.replace(/\D/g, ''))).toBeLessThan(before);

    // The backup downloads as a zip holding the history and the changed rule.
    await page.goto(`${ctx.t.url}/settings`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-link')]);
    expect(download.suggestedFilename()).toMatch(/^spotify-data-app-backup-\d{4}-\d{2}-\d{2}\.zip$/);
    const files = await readZip(fs.readFileSync((await download.path())!));
    expect(JSON.parse(files.get('settings.json')!.toString()).counting_rules.min_play_seconds).toBe(600);
    expect(files.get('history.jsonl')!.toString().trim().split('\n').length).toBeGreaterThan(10);

    // At phone width nothing overflows.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.locator('#your-data').screenshot({ path: screenshotPath('settings-data-phone') });

    // Deleting needs the typed confirmation; then the person is logged out with a message.
    await page.fill('#delete-confirm', 'DELETE');
    await page.click('#delete-account-form button');
    await page.waitForURL(/\/\?deleted=1/);
    expect(await page.textContent('body')).toContain('Your account and all its data were deleted.');
    await page.goto(`${ctx.t.url}/settings`);
    expect(page.url()).toMatch(/login_required/);
    expect(errors).toEqual([]);
  });
});
