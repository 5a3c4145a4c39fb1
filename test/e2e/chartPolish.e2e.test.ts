import type { Page } from 'playwright-core';
import { browserSuite, loginInBrowser, screenshotPath, watchErrors } from '../helpers/browser';

jest.setTimeout(240_000);

/**
 * Phone and chart polish (issue #14, items 7 and 8), checked on the drawn pages at 390×844 in
 * both themes: no plotly toolbar, no chart text outside its card (radar labels, axis titles,
 * legends), legends that do not overlap the axes' labels, a colour scale next to each heatmap,
 * and text colours that meet WCAG AA on every surface.
 */

type Box = { x: number; y: number; w: number; h: number };

/** Every visible text of every drawn chart that sticks out of its chart box, and every legend that covers an axis label. */
async function chartProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const box = (el: Element): Box => { const r = el.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; };
    const overlaps = (a: Box, b: Box) => a.w > 0 && b.w > 0 && a.x < b.x + b.w - 1 && b.x < a.x + a.w - 1 && a.y < b.y + b.h - 1 && b.y < a.y + a.h - 1;
    for (const chart of Array.from(document.querySelectorAll('[data-drawn="1"]'))) {
      const id = chart.id || chart.className;
      if (chart.querySelector('.modebar')) problems.push(`${id}: plotly toolbar shown`);
      const frame = box(chart);
      for (const text of Array.from(chart.querySelectorAll('svg text'))) {
        const t = box(text);
        if (!t.w || !text.textContent?.trim()) continue;
        if (t.x < frame.x - 1 || t.y < frame.y - 1 || t.x + t.w > frame.x + frame.w + 1 || t.y + t.h > frame.y + frame.h + 1) {
          problems.push(`${id}: "${text.textContent.trim().slice(0, 30)}" outside the chart`);
        }
      }
      for (const legend of Array.from(chart.querySelectorAll('.legend'))) {
        const l = box(legend);
        for (const label of Array.from(chart.querySelectorAll('.xtick text, .ytick text, .xtitle, .ytitle, .y2title, .angularaxistick text'))) {
          if (label.textContent?.trim() && overlaps(l, box(label))) problems.push(`${id}: legend covers "${label.textContent.trim().slice(0, 30)}"`);
        }
      }
      const heatmap = chart.querySelector('.hm, .heatmaplayer');
      if (heatmap) {
        const card = chart.closest('.card') ?? chart.parentElement!;
        if (!chart.querySelector('.colorbar') && !card.querySelector('.scale-legend')) problems.push(`${id}: heatmap without a colour scale`);
      }
    }
    return problems;
  });
}

/** WCAG contrast of the theme's text colours on each surface they are drawn on. */
async function contrastFailures(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const probe = document.createElement('div');
    document.body.appendChild(probe);
    const rgb = (cssVar: string): number[] => {
      probe.style.color = `var(${cssVar})`;
      return getComputedStyle(probe).color.match(/[\d.]+/g)!.slice(0, 3).map(Number);
    };
    const lum = (c: number[]) => {
      const [r, g, b] = c.map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a: number[], b: number[]) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const failures: string[] = [];
    const pairs: [string, string][] = [];
    for (const fg of ['--text', '--muted', '--accent', '--series-a-text', '--series-b-text', '--warn-text', '--danger']) {
      for (const bg of ['--bg', '--surface', '--surface-2']) pairs.push([fg, bg]);
    }
    pairs.push(['--accent-ink', '--accent']);
    for (const [fg, bg] of pairs) {
      const r = ratio(rgb(fg), rgb(bg));
      if (r < 4.5) failures.push(`${fg} on ${bg}: ${r.toFixed(2)}:1`);
    }
    probe.remove();
    return failures;
  });
}

describe('browser: charts and pages on a phone, in both themes', () => {
  const ctx = browserSuite();

  it('draws every chart inside its card, without a toolbar or overlapping legends, with a heat scale and AA contrast', async () => {
    const desktop = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await loginInBrowser(desktop, ctx.t.url, 'ava.demo');
    await desktop.goto(`${ctx.t.url}/history`);
    await desktop.click('#demo-import');
    await desktop.waitForSelector('#history-top-artists li a', { timeout: 120_000 });
    const personal = await desktop.getAttribute('#history-top-artists li:first-child a', 'href');
    const cookies = await desktop.context().cookies();
    await desktop.close();

    const pages: { name: string; path: string; charts: string[] }[] = [
      { name: 'dashboard', path: '/dashboard?range=medium_term', charts: ['chart-genres', 'chart-taste', 'chart-decades', 'chart-hours'] },
      { name: 'history', path: '/history', charts: [] },
      { name: 'personal-artist', path: personal!, charts: ['chart-personal-months', 'chart-personal-rank', 'chart-personal-share', 'chart-personal-hours'] },
    ];
    const found: Record<string, string[]> = {};
    for (const theme of ['dark', 'light'] as const) {
      const context = await ctx.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, colorScheme: theme, hasTouch: true, isMobile: true });
      await context.addCookies(cookies);
      const page = await context.newPage();
      const errors = watchErrors(page);
      for (const p of pages) {
        await page.goto(`${ctx.t.url}${p.path}`);
        expect(await page.getAttribute('html', 'data-theme')).toBe(theme);
        for (const id of p.charts) await page.waitForSelector(`#${id}[data-drawn="1"]`, { timeout: 30_000 });
        // Charts drawn lazily (below the fold) are drawn once scrolled to: scroll through the whole page.
        await page.evaluate(async () => {
          for (let y = 0; y < document.documentElement.scrollHeight; y += 600) { window.scrollTo(0, y); await new Promise((r) => setTimeout(r, 150)); }
          window.scrollTo(0, 0);
        });
        await page.waitForFunction(() => !document.querySelector('.chart:not([data-drawn])') || document.querySelectorAll('[data-drawn="1"]').length > 0);
        await page.waitForTimeout(300);
        const drawn = await page.locator('[data-drawn="1"]').count();
        expect(drawn).toBeGreaterThan(0);
        found[`${theme} ${p.name}`] = await chartProblems(page);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
        await page.screenshot({ path: screenshotPath(`polish-${p.name}-phone-${theme}`), fullPage: true });
        // Close-ups of the charts most likely to clip on a phone: the radar and the heatmaps.
        for (const id of ['chart-taste', 'chart-hour-weekday', 'chart-calendar']) {
          const card = page.locator(`.card:has(#${id})`);
          if (await card.count()) await card.screenshot({ path: screenshotPath(`polish-${id}-phone-${theme}`) });
        }
      }
      found[`${theme} contrast`] = await contrastFailures(page);
      expect(errors).toEqual([]);
      await context.close();
    }
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
  });
});
