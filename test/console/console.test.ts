import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { CartridgeView, DriveView } from '../../src/management/views.js';
import { launchBrowser, openPage, screenshotDir } from './browser.js';
import { startConsoleServer, type ConsoleServer } from './console-server.js';

const PAGES = ['dashboard', 'cartridges', 'drives', 'events', 'audit'] as const;

describe('the web console in headless Chromium', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let shots: string;
  before(async () => {
    [server, browser, shots] = await Promise.all([startConsoleServer(), launchBrowser(), screenshotDir()]);
    // A cartridge in drive lib0/0 (its stream shows on the dashboard) and one in a mail slot.
    await server.manager.move('lib0', addressOf(server, 'A00001L8'), firstDrive(server));
    await server.api('POST', '/cartridges', { library: 'lib0', barcode: 'M00000L8', mailSlot: true });
    // The host using drive lib0/0 holds PREVENT MEDIUM REMOVAL: only a forced unload takes its cartridge out.
    const streaming = server.drives[0];
    assert.ok(streaming);
    streaming.removalPrevented = true;
    console.log(`console screenshots: ${shots}`);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Sign in with `token` and open `page`, waiting until it has drawn from the API. */
  async function signedIn(token: string): Promise<{ page: Page; errors: string[] }> {
    const watched = await openPage(browser);
    await watched.page.goto(server.url);
    await watched.page.fill('#token', token);
    await watched.page.click('form.sign-in button[type=submit]');
    await watched.page.waitForSelector('header.top .who');
    return watched;
  }

  async function show(page: Page, id: string): Promise<void> {
    await page.goto(`${server.url}/#/${id}`);
    await page.waitForSelector(`.page[data-page="${id}"][aria-busy="false"]`);
  }

  test('the sign-in page loads with no console error and asks for a token', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(server.url);
    await page.waitForSelector('#token');
    await page.screenshot({ path: join(shots, 'sign-in.png') });
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('every page loads for an admin with no console error, and each is saved as a screenshot', async () => {
    const { page, errors } = await signedIn(server.adminToken);
    for (const id of PAGES) {
      await show(page, id);
      if (id === 'dashboard') await page.locator('[data-drive="lib0/0"]').filter({ hasText: 'MB/s' }).waitFor();
      await page.screenshot({ path: join(shots, `${id}.png`), fullPage: true });
      assert.equal(await page.locator('.page .notice-error').count(), 0, `${id} shows an error`);
    }
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('the dashboard shows the streaming drive with its cartridge and throughput, and the compression ratio', async () => {
    const { page, errors } = await signedIn(server.adminToken);
    await show(page, 'dashboard');
    const drive = page.locator('[data-drive="lib0/0"]');
    await drive.filter({ hasText: 'MB/s' }).waitFor();
    assert.match(await drive.innerText(), /A00001L8/);
    assert.match(await page.locator('.cards').innerText(), /2\.10 : 1/);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('a range of cartridges created in the form is in the library', async () => {
    const { page, errors } = await signedIn(server.adminToken);
    await show(page, 'cartridges');
    await page.fill('form.create input[name=barcodes]', 'C00000L8-C00004L8');
    await page.click('form.create button[type=submit]');
    await page.waitForSelector('tr[data-barcode="C00004L8"]');
    const created = await server.api<CartridgeView[]>('GET', '/cartridges?barcode=C*');
    assert.deepEqual(created.map((c) => [c.barcode, c.location.kind]), ['C00000L8', 'C00001L8', 'C00002L8', 'C00003L8', 'C00004L8'].map((b) => [b, 'slot']));
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('a cartridge exported to a mail slot and imported back is in a storage slot again', async () => {
    const { page, errors } = await signedIn(server.adminToken);
    await show(page, 'cartridges');
    await page.click('tr[data-barcode="A00005L8"] [data-action=export]');
    await page.waitForSelector('tr[data-barcode="A00005L8"][data-location="mailslot"]');
    assert.equal((await server.api<CartridgeView>('GET', '/cartridges/A00005L8')).location.kind, 'mailslot');
    await page.click('tr[data-barcode="A00005L8"] [data-action=import]');
    await page.waitForSelector('tr[data-barcode="A00005L8"][data-location="slot"]');
    assert.equal((await server.api<CartridgeView>('GET', '/cartridges/A00005L8')).location.kind, 'slot');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('a cartridge is deleted only after its barcode is typed in the confirmation', async () => {
    const { page, errors } = await signedIn(server.adminToken);
    await show(page, 'cartridges');
    await page.click('tr[data-barcode="A00011L8"] [data-action=delete]');
    const confirm = page.locator('dialog button[type=submit]');
    assert.equal(await confirm.isDisabled(), true);
    await page.fill('dialog input[name=confirm]', 'A00011L8');
    await page.screenshot({ path: join(shots, 'delete-confirmation.png') });
    await confirm.click();
    await page.locator('tr[data-barcode="A00011L8"]').waitFor({ state: 'detached' });
    const left = await server.api<CartridgeView[]>('GET', '/cartridges?barcode=A00011L8');
    assert.deepEqual(left, []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('a drive unloaded from the drives page puts its cartridge back in its slot', async () => {
    await server.manager.move('lib0', addressOf(server, 'A00003L8'), firstDrive(server) + 1);
    const { page, errors } = await signedIn(server.adminToken);
    await show(page, 'drives');
    await page.click('[data-drive="lib0/1"] [data-action=unload]');
    await page.locator('[data-drive="lib0/1"] [data-action=unload]').waitFor({ state: 'detached' });
    const drive = (await server.api<DriveView[]>('GET', '/drives?library=lib0'))[1];
    assert.equal(drive?.barcode, null);
    assert.equal((await server.api<CartridgeView>('GET', '/cartridges/A00003L8')).location.kind, 'slot');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('the events page shows a change made elsewhere as it happens', async () => {
    const { page, errors } = await signedIn(server.adminToken);
    await show(page, 'events');
    await page.waitForSelector('.stream-state[data-state="live"]');
    await server.api('POST', '/cartridges', { library: 'vault-lib', barcode: 'E00000L8' });
    const row = page.locator('tr', { hasText: 'E00000L8' });
    await row.waitFor();
    assert.match(await row.innerText(), /cartridge-created/);
    await page.screenshot({ path: join(shots, 'events-live.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('a viewer token sees every page and no control that changes anything', async () => {
    const { page, errors } = await signedIn(await server.token('monitor', 'viewer'));
    assert.equal(await page.locator('header.top .who').getAttribute('data-role'), 'viewer');
    for (const id of PAGES) {
      await show(page, id);
      assert.equal(await page.locator('[data-mutating]').count(), 0, `the ${id} page shows a viewer a mutating control`);
    }
    await show(page, 'cartridges');
    await page.screenshot({ path: join(shots, 'cartridges-viewer.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('an operator token gets moves and unloads but not deletion, protection or retention', async () => {
    const { page, errors } = await signedIn(await server.token('backup01', 'operator'));
    await show(page, 'cartridges');
    assert.ok((await page.locator('[data-action=export]').count()) > 0);
    assert.equal(await page.locator('form.create').count(), 1);
    for (const action of ['delete', 'protect', 'retention']) assert.equal(await page.locator(`[data-action=${action}]`).count(), 0, action);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('a drive whose host prevents removal is unloaded only by a forced unload, after a confirmation', async () => {
    const { page, errors } = await signedIn(server.adminToken);
    await show(page, 'drives');
    const drive = page.locator('[data-drive="lib0/0"]');
    assert.match(await drive.innerText(), /mounted, locked/);
    await drive.locator('[data-action=unload]').click();
    const refusal = page.locator('.notice-error');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /prevents medium removal \(409 removal-prevented\)/);
    assert.equal((await server.api<DriveView[]>('GET', '/drives?library=lib0'))[0]?.barcode, 'A00001L8');
    await drive.locator('[data-action=force-unload]').click();
    await page.click('dialog button[type=submit]');
    await drive.locator('[data-action=force-unload]').waitFor({ state: 'detached' });
    assert.equal((await server.api<DriveView[]>('GET', '/drives?library=lib0'))[0]?.barcode, null);
    // The refused plain unload is the one error: Chromium logs every failed request.
    assert.deepEqual(errors.filter((e) => !e.includes('status of 409')), []);
    await page.context().close();
  });

  test('a token the server does not know is refused at sign-in', async () => {
    const { page } = await openPage(browser);
    await page.goto(server.url);
    await page.fill('#token', 'f'.repeat(64));
    await page.click('form.sign-in button[type=submit]');
    await page.waitForSelector('form.sign-in [role=alert]');
    assert.match(await page.locator('form.sign-in [role=alert]').innerText(), /not valid/);
    await page.context().close();
  });
});

function addressOf(server: ConsoleServer, barcode: string): number {
  const location = server.manager.cartridge(barcode).location;
  if (location.kind !== 'element') throw new Error(`${barcode} is on the shelf`);
  return location.address;
}

function firstDrive(server: ConsoleServer): number {
  return server.manager.library('lib0').layout.dataTransfer.firstAddress;
}
