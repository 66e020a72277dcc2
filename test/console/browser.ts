// Headless Chromium from Debian's `chromium` package, driven by playwright-core (which downloads no browser): one
// browser per test file, a fresh context (its own storage) per user, and every console error and uncaught page error
// collected so that a test can say there were none. Playwright gives each launch a new empty profile directory.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Without the background-networking flags Chromium keeps trying to reach Google's hosts, which this network refuses. */
const ARGS = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchBrowser(): Promise<Browser> {
  // chromiumSandbox: false is --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, chromiumSandbox: false, args: ARGS });
}

export interface WatchedPage {
  readonly page: Page;
  /** Console errors and uncaught exceptions since the page opened. */
  readonly errors: string[];
}

export async function openPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return { page, errors };
}

/** Where screenshots go: $VTL_E2E_OUT/console, or a new temp dir; printed so that a run's artifacts can be found. */
export async function screenshotDir(): Promise<string> {
  const out = process.env['VTL_E2E_OUT'];
  const dir = out !== undefined && out !== '' ? join(out, 'console') : await mkdtemp(join(tmpdir(), 'vtl-console-shots-'));
  await mkdir(dir, { recursive: true });
  return dir;
}
