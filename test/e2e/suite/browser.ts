/**
 * Debian's Chromium driven by playwright-core, both installed by setup.sh. playwright-core lives in
 * test/e2e/node_modules, which Node would not find from out/, so it is loaded from there
 * explicitly; its types come from the same package at compile time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { E2E_DIR } from '../code-server.js';

type Playwright = typeof import('playwright-core');

/** Debian's package puts it here; `CHROMIUM` overrides. */
const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

/**
 * Flags for a quiet browser on a machine without internet access: as root it needs
 * --no-sandbox, and without the background-networking flags it keeps calling home.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser with one page; `close` also removes its fresh profile. */
export interface BrowserSession {
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

/** Launches headless Chromium with a fresh user data dir and a 1440×900 page. */
export async function launchBrowser(): Promise<BrowserSession> {
  const { chromium } = createRequire(path.join(E2E_DIR, 'package.json'))(
    'playwright-core',
  ) as Playwright;
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'lockstep-chromium-'));
  // A persistent context is what takes a user data dir; it is as fresh as the folder.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
