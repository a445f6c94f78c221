/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The browser playground (playground/, issue 14 §1) end to end: built with Vite, served from playground/dist on
 * a random localhost port, driven in Debian's Chromium by playwright-core (no downloaded browser builds; .ci/run
 * installs `chromium`). Screenshots are read back and their colours checked where the page marks instructions.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { announceNotRun } from './shared.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'playground', 'dist');
const OBJECT = join(ROOT, 'examples', 'xdp_count.bpf.o');

/** Debian's Chromium: $CHROMIUM_PATH, the binary behind /usr/bin/chromium, or the wrapper itself. */
function findChromium(): string | undefined {
  const env = process.env.CHROMIUM_PATH;
  if (env !== undefined && env !== '') return existsSync(env) ? env : undefined;
  return ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
}

const CHROMIUM = findChromium();

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.gz': 'application/gzip', '.svg': 'image/svg+xml',
};

/** A static server for playground/dist on 127.0.0.1, a random port. */
async function serve(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(DIST, path === '/' ? 'index.html' : path);
    if (!file.startsWith(DIST) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('the static server has no port');
  return { server, url: `http://127.0.0.1:${addr.port}/` };
}

type Rgb = readonly [number, number, number];
const hexRgb = (h: string): Rgb => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
// the page's row colours (playground/src/style.css --row-rejected, --row-current; the changed register's row)
const REJECTED = hexRgb('#6e1820');
const CURRENT = hexRgb('#1b3d6b');
const CHANGED_REG = hexRgb('#3d3410');

interface Box { x: number; y: number; width: number; height: number }

/** The share of a box's pixels (in the screenshot) that are `rgb`, within a small tolerance. */
function colourShare(png: PNG, box: Box, rgb: Rgb): number {
  let hit = 0;
  let all = 0;
  const x0 = Math.max(0, Math.round(box.x));
  const y0 = Math.max(0, Math.round(box.y));
  const x1 = Math.min(png.width, Math.round(box.x + box.width));
  const y1 = Math.min(png.height, Math.round(box.y + box.height));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * png.width + x) * 4;
      all++;
      if (Math.abs(png.data[i]! - rgb[0]) <= 6 && Math.abs(png.data[i + 1]! - rgb[1]) <= 6 && Math.abs(png.data[i + 2]! - rgb[2]) <= 6) hit++;
    }
  }
  return all === 0 ? 0 : hit / all;
}

if (CHROMIUM === undefined) {
  describe('playground in a real browser', () => {
    it('did not run', () => announceNotRun('playground end-to-end tests', 'no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)'));
  });
} else {
  describe('playground in a real browser (Debian Chromium, playwright-core)', () => {
    type Browser = import('playwright-core').Browser;
    type Page = import('playwright-core').Page;
    let browser: Browser;
    let server: Server;
    let url: string;

    beforeAll(async () => {
      const { build } = await import('vite');
      await build({ configFile: join(ROOT, 'playground', 'vite.config.ts'), logLevel: 'warn' });
      ({ server, url } = await serve());
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    });

    /** A fresh page at `at`, failing the test on any page error. */
    async function open(at = url): Promise<{ page: Page; errors: string[] }> {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(at);
      await page.waitForSelector('body[data-ready]');
      return { page, errors };
    }

    async function setEditor(page: Page, text: string): Promise<void> {
      await page.click('.cm-content');
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(text);
    }

    /** The screenshot of the page and a locator's box in it. */
    async function shotAndBoxes(page: Page, selectors: string[]): Promise<{ png: PNG; boxes: (Box | null)[] }> {
      const png = PNG.sync.read(await page.screenshot());
      const boxes = await Promise.all(selectors.map((s) => page.locator(s).first().boundingBox()));
      return { png, boxes };
    }

    it('assemble → verify → run → step: errors at their line, the log linked, XDP_DROP named, changed registers marked', async () => {
      const { page, errors } = await open();
      // an assembler error is marked at its line, in the gutter and below the editor
      await setEditor(page, 'r0 = 1\nr1 = 2\nr2 = frob 3\nexit\n');
      await expect.poll(() => page.locator('#asm-error').textContent()).toContain('line 3');
      await page.waitForSelector('.cm-lint-marker-error');
      const markerLine = await page.evaluate(() => {
        const marker = document.querySelector('.cm-lint-marker-error')!.getBoundingClientRect();
        const lines = [...document.querySelectorAll('.cm-line')];
        return lines.findIndex((l) => Math.abs(l.getBoundingClientRect().top - marker.top) < 6) + 1;
      });
      expect(markerLine).toBe(3);

      // the first example, on a DNS query
      await page.selectOption('#example', '0');
      await expect.poll(() => page.locator('#asm-error').isHidden()).toBe(true);
      // level 1 logs an accepted program's statistics alone; level 2 every state
      await page.selectOption('#loglevel', '2');
      await page.click('#verify');
      await expect.poll(() => page.locator('#verdict').textContent()).toMatch(/^accepted · \d+ insns processed/);
      expect(await page.locator('#asm-error').isHidden()).toBe(true);
      // register states beside the code, from the log
      expect(await page.locator('#code .insn[data-insn="0"] .state').textContent()).toContain('R2_w=pkt_end');
      // a log line links to its instruction
      await page.locator('#log .l[data-insn="4"]').first().click();
      expect(await page.locator('#code .insn[data-insn="4"]').getAttribute('class')).toContain('linked');

      await page.click('#run');
      await expect.poll(() => page.locator('#retval').textContent()).toBe('retval = 1 XDP_DROP');
      expect(await page.locator('#printk').textContent()).toBe('drop');
      expect(await page.locator('#status').textContent()).toBe('retval = 1 (XDP_DROP)');

      // on a TCP packet the same program passes it
      await page.click('#presets button:has-text("IPv4 / TCP SYN")');
      await page.click('#run');
      await expect.poll(() => page.locator('#retval').textContent()).toBe('retval = 2 XDP_PASS');

      // the packet builder: UDP to port 53 from the fields
      await page.click('#presets button:has-text("IPv4 / UDP DNS")');
      const built = await page.locator('#data').inputValue();
      expect(built.replace(/\s/g, '').slice(24, 28)).toBe('0800'); // EtherType IPv4
      expect(built.replace(/\s/g, '').slice(72, 76)).toBe('0035'); // UDP destination port 53

      // the debugger: record, step, registers changed by the last instruction marked
      await page.click('#debug');
      await expect.poll(() => page.locator('#dbg-where').textContent()).toMatch(/^step 1 \/ \d+/);
      for (let i = 0; i < 3; i++) await page.click('#dbg-step');
      // before step 4 (insn 3: r3 += 42) the previous instruction (2: r3 = r1) changed r3
      expect(await page.locator('#dbg-pc').textContent()).toBe('3: r3 += 42');
      expect(await page.locator('#regs tr.changed').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-reg')))).toEqual(['r3']);
      expect(await page.locator('#regs tr[data-reg="r1"] td.region').textContent()).toMatch(/packet \+\d+/);
      expect(await page.locator('#regs tr[data-reg="r10"] td.region').textContent()).toContain('stack of frame 0: fp');
      // screenshots: the current instruction's row and the changed register's row carry their colours, no other row does
      const { png, boxes } = await shotAndBoxes(page, ['#code .insn.current', '#code .insn[data-insn="0"]', '#regs tr.changed', '#regs tr[data-reg="r0"]']);
      expect(colourShare(png, boxes[0]!, CURRENT)).toBeGreaterThan(0.5);
      expect(colourShare(png, boxes[1]!, CURRENT)).toBeLessThan(0.01);
      expect(colourShare(png, boxes[2]!, CHANGED_REG)).toBeGreaterThan(0.3);
      expect(colourShare(png, boxes[3]!, CHANGED_REG)).toBeLessThan(0.01);

      // a breakpoint at the printk call, continue; then run to the exit
      await page.locator('#code .insn[data-insn="17"] .bp').click();
      await page.click('#dbg-continue');
      expect(await page.locator('#dbg-pc').textContent()).toBe('17: call bpf_trace_printk#6');
      expect(await page.locator('#stack').textContent()).toContain('fp-8    64 72 6f 70 0a 00 00 00'); // "drop\n"
      await page.fill('#dbg-target', '19');
      await page.click('#dbg-runto');
      expect(await page.locator('#dbg-pc').textContent()).toBe('19: exit');
      await page.click('#dbg-step');
      expect(await page.locator('#dbg-where').textContent()).toContain('exit, r0 = 0x0000000000000001');
      await page.click('#dbg-back');
      expect(await page.locator('#dbg-pc').textContent()).toBe('19: exit');
      expect(errors).toEqual([]);
      await page.close();
    });

    it('a packet the program rewrites: dataOut shown as a diff against the input', async () => {
      const { page, errors } = await open();
      await page.selectOption('#example', '1'); // swap the MACs, XDP_TX
      await page.click('#run');
      await expect.poll(() => page.locator('#retval').textContent()).toBe('retval = 3 XDP_TX');
      // 12 bytes changed: the two addresses; the rest as it came in
      expect(await page.locator('#result .hexdump .chg').count()).toBe(12);
      expect(await page.locator('#result .hexdump').first().textContent()).toMatch(/^0000 {2}66 77 88 99 aa bb 00 11 {2}22 33 44 55 08 00 45 00/);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('a dropped .o: programs and maps listed, BTF source lines shown, maps before and after', async () => {
      const { page, errors } = await open();
      await page.click('#modes button[data-mode="obj"]');
      // a real drop: a DataTransfer holding the file, dropped on the drop zone
      const b64 = readFileSync(OBJECT).toString('base64');
      const dt = await page.evaluateHandle((data) => {
        const t = new DataTransfer();
        t.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], 'xdp_count.bpf.o'));
        return t;
      }, b64);
      await page.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
      await page.waitForSelector('#obj-programs tr[data-program="count_protocols"]');
      expect(await page.locator('#obj-programs tr[data-program] td').allTextContents()).toEqual(['count_protocols', 'xdp', 'XDP', '48']);
      expect(await page.locator('#obj-maps tr td:first-child').allTextContents()).toEqual(['proto_count', '.rodata.str1.1']);
      expect(await page.locator('#obj-maps tr:nth-child(2) td:nth-child(2)').textContent()).toBe('hash');
      expect(await page.locator('#code .srcline').first().textContent()).toContain('int count_protocols(struct xdp_md *ctx)');
      expect(await page.locator('#code .srcline').allTextContents()).toContainEqual(expect.stringContaining('xdp_count.bpf.c:36'));

      await page.click('.tabs button[data-tab="run"]');
      await page.click('#presets button:has-text("IPv4 / ICMP echo")');
      await page.click('#run');
      await expect.poll(() => page.locator('#retval').textContent()).toBe('retval = 1 XDP_DROP');
      expect(await page.locator('#printk').textContent()).toMatch(/^proto 1, \d+ bytes$/);
      // the map: empty before, ICMP (protocol 1) counted once after
      expect(await page.locator('#result table[data-map="proto_count"] tr:nth-child(2) td').allTextContents()).toEqual(['1', '—', '1']);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('a rejected program shows the kernel\'s message at its instruction, highlighted', async () => {
      const { page, errors } = await open();
      await page.selectOption('#example', '2'); // no bounds check
      await page.click('#verify');
      await expect.poll(() => page.locator('#verdict').textContent()).toBe('rejected (errno 13) · R1 offset is outside of the packet');
      const row = page.locator('#code .insn.rejected');
      expect(await row.count()).toBe(1);
      expect(await row.getAttribute('data-insn')).toBe('2');
      expect(await row.locator('.note').textContent()).toBe('R1 offset is outside of the packet');
      // the log's message lines link to the same instruction
      expect(await page.locator('#log .l.message').evaluateAll((ls) => ls.map((l) => [l.textContent, l.getAttribute('data-insn')])))
        .toEqual([['invalid access to packet, off=12 size=2, R1(id=0,off=12,r=0)', '2'], ['R1 offset is outside of the packet', '2']]);
      // the screenshot: the rejected row is red, the others are not
      const { png, boxes } = await shotAndBoxes(page, ['#code .insn[data-insn="2"]', '#code .insn[data-insn="1"]', '#code .insn[data-insn="3"]', '#code .insn[data-insn="7"]']);
      expect(colourShare(png, boxes[0]!, REJECTED)).toBeGreaterThan(0.4);
      for (const b of boxes.slice(1)) expect(colourShare(png, b!, REJECTED)).toBeLessThan(0.01);
      // running it says why it did not run
      await page.click('#run');
      await expect.poll(() => page.locator('#status').textContent()).toBe('Not run: the verifier rejects it — R1 offset is outside of the packet');
      expect(errors).toEqual([]);
      await page.close();
    });

    it('share: the program and its inputs round-trip through the URL (assembler and object)', async () => {
      const { page, errors } = await open();
      const program = 'r0 = 2 // XDP_PASS, shared\nexit\n';
      await setEditor(page, program);
      await page.selectOption('#progtype', 'tc');
      await page.selectOption('#loglevel', '2');
      await page.click('.tabs button[data-tab="run"]');
      await page.fill('#data', 'ffffffffffff 001122334455 0806');
      await page.locator('details:has(#caps) > summary').click();
      await page.locator('#caps input[value="CAP_SYS_ADMIN"]').uncheck();
      await page.selectOption('#nullinject', 'always');
      await page.click('#share');
      await expect.poll(() => page.url()).toMatch(/#s=[A-Za-z0-9_-]+$/);
      const shared = page.url();

      const { page: again, errors: errors2 } = await open(shared);
      expect(await again.locator('.cm-line').allTextContents()).toEqual(program.split('\n'));
      expect(await again.locator('#progtype').inputValue()).toBe('tc');
      expect(await again.locator('#loglevel').inputValue()).toBe('2');
      expect(await again.locator('#data').inputValue()).toBe('ffffffffffff 001122334455 0806');
      expect(await again.locator('#caps input[value="CAP_SYS_ADMIN"]').isChecked()).toBe(false);
      expect(await again.locator('#caps input[value="CAP_BPF"]').isChecked()).toBe(true);
      expect(await again.locator('#nullinject').inputValue()).toBe('always');
      await again.click('#run');
      await expect.poll(() => again.locator('#retval').textContent()).toBe('retval = 2 TC_ACT_SHOT');
      await again.close();

      // an object travels in the link too, with the chosen program
      await page.click('#modes button[data-mode="obj"]');
      await page.setInputFiles('#file', OBJECT);
      await page.waitForSelector('#obj-programs tr[data-program="count_protocols"]');
      await page.click('#share');
      await expect.poll(() => page.url()).not.toBe(shared);
      const { page: third, errors: errors3 } = await open(page.url());
      await third.waitForSelector('#obj-programs tr.chosen[data-program="count_protocols"]');
      expect(await third.locator('#code .insn').count()).toBeGreaterThan(40);
      await third.close();
      expect([...errors, ...errors2, ...errors3]).toEqual([]);
      await page.close();
    });
  });
}
