import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_COLORS } from '../../harness/report/report-style.js';
import { buildRun } from '../helpers/run-fixture.js';
import { countColor, decodePng, paeth, rgbOf } from '../helpers/png.js';

const root = join(import.meta.dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
const required = process.env.TWINSEARCH_REQUIRE_BROWSER === '1';
if (!haveBrowser && !required) {
  console.warn(`html-browser.test.ts: SKIPPED, no Chromium at ${CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH; TWINSEARCH_REQUIRE_BROWSER=1 turns this into a failure)`);
}

/** A PNG with every row filter (0-4 in turn), the way an encoder would write it. */
function encodePng(width: number, height: number, channels: 3 | 4, pixels: Buffer): Buffer {
  const stride = width * channels;
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const filter = y % 5;
    const out = Buffer.alloc(stride + 1);
    out[0] = filter;
    for (let i = 0; i < stride; i++) {
      const x = pixels[y * stride + i]!;
      const a = i >= channels ? pixels[y * stride + i - channels]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i]! : 0;
      const c = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels]! : 0;
      const p = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter]!;
      out[i + 1] = (x - p) & 0xff;
    }
    rows.push(out);
  }
  const chunk = (type: string, body: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, channels === 4 ? 6 : 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

describe('the PNG decoder used on screenshots', () => {
  it('undoes every row filter, for RGB and RGBA', () => {
    for (const channels of [3, 4] as const) {
      const w = 7, h = 11;
      const px = Buffer.from(Array.from({ length: w * h * channels }, (_, i) => (i * 37 + (i >> 3) * 11) & 0xff));
      const img = decodePng(encodePng(w, h, channels, px));
      expect([img.width, img.height, img.channels]).toEqual([w, h, channels]);
      expect(img.data.equals(px)).toBe(true);
    }
  });

  it('rejects what it does not handle with a reason', () => {
    expect(() => decodePng(Buffer.from('GIF89a'))).toThrow('not a PNG');
    const png = encodePng(2, 2, 3, Buffer.alloc(12));
    const palette = Buffer.from(png);
    palette[8 + 8 + 9] = 3; // colour type: palette
    palette.writeUInt32BE(crc32(palette.subarray(12, 8 + 8 + 13)), 8 + 8 + 13);
    expect(() => decodePng(palette)).toThrow('colour type 3');
  });
});

// a test that fails, so the run's count of failures shows it, not only a skipped file
it.runIf(!haveBrowser && required)('has Chromium to open the report in (TWINSEARCH_REQUIRE_BROWSER=1)', () => {
  throw new Error(`TWINSEARCH_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
});

describe.skipIf(!haveBrowser)('the HTML report in headless Chromium', () => {
  let browser: Browser, page: Page, shots: string;
  const consoleErrors: string[] = [], pageErrors: string[] = [], requests: string[] = [];
  // expressions as strings: the project is compiled without the DOM types
  const js = <T>(expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;

  beforeAll(async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ts-html-browser-'));
    shots = join(tmp, 'screenshots');
    mkdirSync(shots);
    const dir = await buildRun(tmp);
    const file = join(tmp, 'report.html');
    const r = spawnSync(process.execPath, ['--no-node-snapshot', '--import', 'tsx', join(root, 'harness/cli/main.ts'), 'review', dir, '--html', file], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
    page.on('pageerror', (e) => void pageErrors.push(e.message));
    page.on('request', (req) => void (/^(file|data):/.test(req.url()) || requests.push(req.url())));
    // nothing leaves the machine even if the report were to reference something
    await page.route('**/*', (route) => (/^(file|data):/.test(route.request().url()) ? route.continue() : route.abort()));
    await page.goto(`file://${file}`, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads without console errors, page errors or any network request', async () => {
    expect(await page.title()).toBe('twinsearch · run-a · router-latency');
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(requests).toEqual([]);
    // no script ran a dialog: the hostile description stayed text
    expect(await page.locator('#cand-c0004 h3').innerText()).toContain('<script>alert("x")</script>');
    expect(await js<number>('document.scripts.length')).toBe(0);
    // the layout fits the window: nothing makes the page scroll sideways
    expect(await js<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1200);
  });

  it('renders the front plot and the diffs (element boxes and screenshot pixels)', async () => {
    const full = join(shots, 'report.png');
    const fullPng = decodePng(await page.screenshot({ path: full, fullPage: true }));
    expect(fullPng.width).toBe(1200);
    expect(fullPng.height).toBeGreaterThan(900);
    expect(readFileSync(full).length).toBeGreaterThan(0);

    const plot = page.locator('#front-plot');
    expect(await plot.isVisible()).toBe(true);
    const box = (await plot.boundingBox())!;
    expect(box.width).toBeGreaterThan(600);
    expect(box.height).toBeGreaterThan(300);
    const front = page.locator('.point-front');
    expect(await front.count()).toBe(2);
    for (const p of await front.all()) expect(await p.isVisible()).toBe(true);
    expect(await page.locator('.point-baseline').isVisible()).toBe(true);
    expect(await page.locator('.point-faded').count()).toBe(2);

    const plotPng = decodePng(await plot.screenshot({ path: join(shots, 'plot.png') }));
    expect(countColor(plotPng, rgbOf(REPORT_COLORS.front))).toBeGreaterThan(50); // two filled discs of radius ~8 px
    expect(countColor(plotPng, rgbOf(REPORT_COLORS.baseline), 8)).toBeGreaterThan(20);

    const add = page.locator('pre.diff .add').first();
    expect(await add.isVisible()).toBe(true);
    const addPng = decodePng(await add.screenshot({ path: join(shots, 'add-line.png') }));
    const bg = countColor(addPng, rgbOf(REPORT_COLORS.addBg));
    expect(bg).toBeGreaterThan(addPng.width * addPng.height * 0.5); // the background fills the line
    // and there is text on it
    let dark = 0;
    for (let i = 0; i < addPng.data.length; i += addPng.channels) if (addPng.data[i]! + addPng.data[i + 1]! + addPng.data[i + 2]! < 300) dark++;
    expect(dark).toBeGreaterThan(20);
    const delPng = decodePng(await page.locator('pre.diff .del').first().screenshot());
    expect(countColor(delPng, rgbOf(REPORT_COLORS.delBg))).toBeGreaterThan(delPng.width * delPng.height * 0.5);
  });

  it('follows the lineage links to the candidate sections', async () => {
    await page.locator('#lineage a[href="#cand-c0004"]').click();
    expect(await js<string>('location.hash')).toBe('#cand-c0004');
    expect(Math.abs((await page.locator('#cand-c0004').boundingBox())!.y)).toBeLessThan(5); // scrolled to the top
  });

  it('fits a narrow window without sideways scrolling of the page', async () => {
    await page.setViewportSize({ width: 420, height: 800 });
    expect(await js<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(420);
    expect((await page.locator('#front-plot').boundingBox())!.width).toBeGreaterThan(300);
    writeFileSync(join(shots, 'narrow.png'), await page.screenshot({ fullPage: true }));
  });
});
