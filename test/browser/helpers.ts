import { mkdir, rm } from 'node:fs/promises';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { LocalWorkspace } from '../../sim/workspace/start.ts';
import { startLocalApp, type LocalApp, type LocalAppOptions } from '../local/harness.ts';

/**
 * Browser tests of the local workspace: the real app in local mode (as `npm start` runs it, on a test
 * database and a fast GCE simulator), driven through its page by Debian's Chromium. A later flow adds
 * its walk in a few lines:
 *
 *   const ws = await openWorkspace({ name: 'save-walk' });
 *   await ws.runCommand('/demo');
 *   await ws.clickButton('Details');
 *   await ws.shot('detail');
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const ARTIFACTS = new URL('../../test-artifacts/browser/', import.meta.url);
/** How long the UI may take to show what background jobs do (VM boot, status DM edits). */
export const UI_TIMEOUT_MS = 20_000;

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface WorkspaceOptions extends LocalAppOptions {
  /** Folder under test-artifacts/browser/ for this walk's screenshots. */
  name: string;
  user?: string;
}

export async function openWorkspace(opts: WorkspaceOptions): Promise<Workspace> {
  const app = await startLocalApp(opts);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const ws = new Workspace({ page, browser, app, name: opts.name });
    await ws.open(opts.user ?? 'U_ALICE');
    return ws;
  } catch (err) {
    await browser?.close();
    await app.close();
    throw err;
  }
}

export class Workspace {
  readonly page: Page;
  readonly app: LocalApp;
  readonly errors: string[] = [];
  readonly #browser: Browser;
  readonly #dir: URL;
  #step = 0;

  constructor(p: { page: Page; browser: Browser; app: LocalApp; name: string }) {
    this.page = p.page;
    this.#browser = p.browser;
    this.app = p.app;
    this.#dir = new URL(`${p.name}/`, ARTIFACTS);
    // Script errors and console errors (CSP violations, failed loads) fail the walk (see the tests' afterAll).
    this.page.on('pageerror', (e) => this.errors.push(e.message));
    this.page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(m.text());
    });
    this.page.setDefaultTimeout(UI_TIMEOUT_MS);
  }

  get local(): LocalWorkspace {
    return this.app.local;
  }

  get url(): string {
    return this.local.url;
  }

  async open(user: string): Promise<void> {
    // A fresh folder per run, so every screenshot in it is from this walk.
    await rm(this.#dir, { recursive: true, force: true });
    await mkdir(this.#dir, { recursive: true });
    await this.page.goto(`${this.url}?as=${user}`);
    await this.page.locator(`body[data-user="${user}"]`).waitFor({ state: 'attached' });
  }

  /** Switch the "Acting as" user. */
  async asUser(user: string): Promise<void> {
    await this.page.locator('#user-switch').selectOption(user);
    await this.page.locator(`body[data-user="${user}"]`).waitFor({ state: 'attached' });
  }

  async openChannel(name: string): Promise<void> {
    await this.page.locator(`[data-channel="${name}"]`).click();
    await expect.poll(() => this.page.locator('.pane-title h1').textContent()).toContain(name);
  }

  /** The app's Home or Messages (DM) tab. */
  async openApp(tab: 'home' | 'messages' = 'messages'): Promise<void> {
    await this.page.locator('[data-app]').click();
    await this.page.locator(`[data-tab="${tab}"]`).click();
    await this.page.locator(`[data-tab="${tab}"][aria-selected="true"]`).waitFor();
  }

  /** Type a slash command in the composer and send it; resolves once the app has acked. */
  runCommand(text: string): Promise<void> {
    return this.say(text);
  }

  /** Type a message (or a slash command) in the composer and send it. */
  async say(text: string): Promise<void> {
    const answered = this.page.waitForResponse((r) => /\/local\/api\/(command|message)$/.test(r.url()));
    await this.page.locator('#composer-input').fill(text);
    await this.page.locator('#composer-input').press('Enter');
    const res = await answered;
    const body = (await res.json()) as { ok: boolean; error?: string };
    if (!body.ok) throw new Error(`${text}: ${body.error}`);
  }

  /** The open modal (top of the stack); with a title, waits until that view is on top. */
  async modal(title?: string): Promise<Locator> {
    const modal = this.page.locator('.modal[role="dialog"]');
    if (title) await this.page.locator(`.modal[role="dialog"][aria-label="${title}"]`).waitFor();
    else await modal.waitFor();
    return modal;
  }

  /** Press a Block Kit button by its label: in `within`, else in the open modal, else in the message pane. */
  async clickButton(label: string, within?: Locator): Promise<void> {
    const modal = this.page.locator('.modal[role="dialog"]');
    const scope = within ?? ((await modal.count()) ? modal : this.page.locator('#pane-body'));
    const answered = this.page.waitForResponse((r) => r.url().endsWith('/local/api/action'));
    await scope
      .locator('.bk-button', { hasText: new RegExp(`^${escapeRegExp(label)}$`) })
      .first()
      .click();
    // A button with a confirm dialog sends nothing until the dialog is answered (see confirm()).
    if (await this.page.locator('.confirm').isVisible()) {
      answered.catch(() => {}); // confirm() waits for the request instead
      return;
    }
    await answered;
  }

  /** Answer a Block Kit confirm dialog. */
  async confirm(yes = true): Promise<void> {
    const answered = this.page.waitForResponse((r) => r.url().endsWith('/local/api/action'));
    await this.page.locator(`.confirm [data-confirm="${yes ? 'yes' : 'no'}"]`).click();
    if (yes) await answered;
  }

  async submitModal(): Promise<void> {
    const answered = this.page.waitForResponse((r) => r.url().endsWith('/local/api/submit'));
    await this.page.locator('.modal[role="dialog"] [data-modal="submit"]').click();
    await answered;
  }

  async closeModal(all = true): Promise<void> {
    await this.page.locator(`.modal[role="dialog"] [data-modal="${all ? 'dismiss' : 'close'}"]`).click();
  }

  /** The newest message (or ephemeral) in the pane that contains `text`, once it shows. */
  async waitForMessageContaining(text: string | RegExp, timeout = UI_TIMEOUT_MS): Promise<Locator> {
    const message = this.page.locator('#pane-body .message', { hasText: text }).last();
    try {
      await message.waitFor({ timeout });
    } catch (err) {
      await this.page.screenshot({ path: new URL(`FAILED-waiting-for-${String(text).replace(/\W+/g, '-')}.png`, this.#dir).pathname });
      throw err;
    }
    return message;
  }

  gcePanel(): Locator {
    return this.page.locator('#side .gce');
  }

  /**
   * Save a screenshot as test-artifacts/browser/<walk>/<NN>-<step>.png, and check that everything the
   * app sent so far rendered: no "unsupported block" box anywhere on the screen.
   */
  async shot(step: string, opts: { allowUnsupported?: boolean } = {}): Promise<void> {
    this.#step += 1;
    const file = new URL(`${String(this.#step).padStart(2, '0')}-${step}.png`, this.#dir);
    await this.page.screenshot({ path: file.pathname });
    if (!opts.allowUnsupported) expect(await this.page.locator('.unsupported').allTextContents(), `at ${step}`).toEqual([]);
  }

  async close(): Promise<void> {
    await this.#browser.close();
    await this.app.close();
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
