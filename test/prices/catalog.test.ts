import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { demoInState, launchFromCatalog, openLaunchModal } from '../harness/flows.ts';
import { ask } from '../accounting/fixtures.ts';
import { createSkuReader } from '../../src/prices/billing.ts';
import { refreshPrices } from '../../src/prices/service.ts';
import { sampleCatalog } from '../../sim/billing/index.ts';

/**
 * List prices read from the fake Cloud Billing Catalog by the real @google-cloud/billing client, stored
 * in PostgreSQL, and shown through the real Bolt receiver: launch modal, fleet, /demo admin price.
 */
let t: TestApp;
beforeAll(async () => void (t = await startTestApp()));
afterAll(async () => t?.close());
/** What a test changed in the fake catalog or the settings, undone even when it fails. */
const undo: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of undo.splice(0).reverse()) await step();
});

const stored = async (machineType: string, region: string) =>
  t.db.selectFrom('machine_prices').selectAll().where('machine_type', '=', machineType).where('region', '=', region).executeTakeFirst();
const refresh = () => refreshPrices(t.app.worker!, createSkuReader(t.config.prices.billingEndpoint));

describe('prices from the catalog', () => {
  test("the fake catalog's SKUs give the machine-type prices computed by hand", async () => {
    // e2-standard-2 in us-central1: 2 × 0.02181159 + 8 × 0.00292353 = 0.06701142 (stored to 6 decimals).
    expect(await stored('e2-standard-2', 'us-central1')).toMatchObject({ hourly_price: '0.067011', source: 'catalog', catalog_price: '0.067011' });
    // e2-medium, shared core billed as 1 vCPU: 1 × 0.02181159 + 4 × 0.00292353 = 0.03350571.
    expect((await stored('e2-medium', 'us-central1'))?.hourly_price).toBe('0.033506');
    // e2-standard-4: 4 × 0.02181159 + 16 × 0.00292353 = 0.13402284.
    expect((await stored('e2-standard-4', 'us-central1'))?.hourly_price).toBe('0.134023');
    // n2-standard-2 in europe-west1 (Belgium SKUs): 2 × 0.034773 + 8 × 0.004661 = 0.106834.
    expect((await stored('n2-standard-2', 'europe-west1'))?.hourly_price).toBe('0.106834');
    // e2-standard-2 in europe-west1: 2 × 0.02399276 + 8 × 0.00321591 = 0.0737128.
    expect((await stored('e2-standard-2', 'europe-west1'))?.hourly_price).toBe('0.073713');
    const pd = await t.db
      .selectFrom('price_rates')
      .select('unit_price')
      .where('region', '=', 'us-central1')
      .where('family', '=', 'pd-standard')
      .executeTakeFirst();
    expect(Number(pd?.unit_price)).toBe(0.04);
  });

  test('the catalog is read across several pages', async () => {
    t.billing.maxPageSize = 4;
    undo.push(() => (t.billing.maxPageSize = 5000));
    const before = t.billing.requests.length;
    expect(await refresh()).toBe(true);
    const pages = t.billing.requests.slice(before);
    expect(pages).toHaveLength(Math.ceil(sampleCatalog().length / 4));
    expect(pages.slice(1).every((r) => r.query['pageToken'])).toBe(true);
    expect(pages[0]).toMatchObject({ path: '/v1/services/6F81-5844-456A/skus' });
    // Every rate of the last page arrived too (suspended-state storage is near the end).
    expect(await t.db.selectFrom('price_rates').select('region').where('family', '=', 'suspended').execute()).toHaveLength(4);
  });

  test("a failed catalog read keeps yesterday's prices, and /readyz says so while staying ready", async () => {
    t.billing.failNext(1);
    expect(await refresh()).toBe(false);
    expect((await stored('e2-standard-2', 'us-central1'))?.hourly_price).toBe('0.067011');
    const res = await fetch(`${t.app.url}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { details: { priceCatalog: { error: string; lastSuccessAt: string; note: string } } };
    expect(body.details.priceCatalog.error).toContain('503');
    expect(body.details.priceCatalog.lastSuccessAt).toEqual(expect.any(String));
    expect(body.details.priceCatalog.note).toBe('the last read failed: the previous prices stay in use');
    expect(t.logs.join('')).toContain('could not read the price catalog; the previous prices stay');
    // The next read clears it.
    expect(await refresh()).toBe(true);
    expect(((await (await fetch(`${t.app.url}/readyz`)).json()) as { details: { priceCatalog: { error: null } } }).details.priceCatalog.error).toBeNull();
  });
});

describe('what users and admins see', () => {
  test('the launch modal shows vCPU, memory and hourly list cost per type, and the lifetime estimate follows the lifetime', async () => {
    const modal = await openLaunchModal(t);
    const blocks = JSON.stringify(modal.blocks);
    expect(blocks).toContain('e2-medium · 2 shared vCPU · 4 GB · USD 0.034/h');
    expect(blocks).toContain('e2-standard-2 · 2 vCPU · 8 GB · USD 0.067/h');
    expect(blocks).toContain('n2-standard-2 · 2 vCPU · 8 GB · USD 0.097/h');
    // The default: e2-medium for 8 hours = 8 × 0.033506 = 0.268.
    expect(blocks).toContain('*Estimated cost:* USD 0.27 for 8 hours at USD 0.034/h (on-demand list prices)');
    expect(blocks).toContain('*Your monthly budget:* USD 500.00 left of USD 500.00, USD 499.73 after this one');

    // 3 days instead: 72 × 0.033506 = 2.41; the type stays as picked.
    await t.slack.action({ user: 'U_ALICE', on: { viewId: modal.id }, actionId: 'demos.ttl', choice: '72' });
    const longer = await eventually(
      () => JSON.stringify(t.fake.view(modal.id)?.blocks),
      (b) => b.includes('for 3 days'),
    );
    expect(longer).toContain('*Estimated cost:* USD 2.41 for 3 days at USD 0.034/h');
    // Then n2-standard-2: 72 × 0.097118 = 6.99; the lifetime stays as picked.
    await t.slack.action({ user: 'U_ALICE', on: { viewId: modal.id }, actionId: 'demos.machine_type', choice: 'n2-standard-2' });
    const bigger = await eventually(
      () => JSON.stringify(t.fake.view(modal.id)?.blocks),
      (b) => b.includes('at USD 0.097/h'),
    );
    expect(bigger).toContain('*Estimated cost:* USD 6.99 for 3 days at USD 0.097/h');
    expect(t.fake.view(modal.id)?.callback_id).toBe('demos.launch');
  });

  test('a machine type without a SKU shows "price unknown" in the launch modal and the fleet view; the launch is allowed', async () => {
    t.billing.skus = sampleCatalog().filter((s) => !s.description.startsWith('N2 Instance Ram running in Americas'));
    undo.push(async () => {
      t.billing.skus = sampleCatalog();
      expect(await refresh()).toBe(true);
    });
    expect(await refresh()).toBe(true);
    expect(await stored('n2-standard-2', 'us-central1')).toBeUndefined();
    expect(t.logs.join('')).toContain('machine types without a catalog price');

    const modal = await openLaunchModal(t, 'U_BOB');
    expect(JSON.stringify(modal.blocks)).toContain('n2-standard-2 · 2 vCPU · 8 GB · price unknown');
    await t.slack.action({ user: 'U_BOB', on: { viewId: modal.id }, actionId: 'demos.machine_type', choice: 'n2-standard-2' });
    const warned = await eventually(
      () => JSON.stringify(t.fake.view(modal.id)?.blocks),
      (b) => b.includes('Price unknown'),
    );
    expect(warned).toContain('*Price unknown* for n2-standard-2 in us-central1: you may launch it, but its cost is not counted against your budget.');
    expect(warned).not.toContain('USD 0.00');
    // Budgets do not guess: the launch goes ahead (decision in docs/PRICES.md).
    const submitted = await t.slack.submit({ user: 'U_BOB', viewId: modal.id, values: {} });
    expect(submitted.response.status).toBe(200);
    await eventually(
      () => t.db.selectFrom('demos').select('machine_type').where('owner_id', '=', 'U_BOB').execute(),
      (rows) => rows.some((r) => r.machine_type === 'n2-standard-2'),
    );

    const fleet = await ask(t, 'U_ADMIN', 'admin fleet');
    expect(fleet.all).toContain('*Price unknown* for n2-standard-2 in us-central1');
  });

  test("an admin's override wins over the catalog and says so; a discount applies to /demo usage and the launch modal", async () => {
    const set = await ask(t, 'U_ADMIN', 'admin price e2-standard-2 us-central1 0.05');
    expect(set.text).toContain('now costs USD 0.05 per hour (it was USD 0.067011)');
    expect(set.text).toContain('This override wins over the Cloud Billing Catalog price');
    expect(await refresh()).toBe(true); // the daily read does not undo it
    expect(await stored('e2-standard-2', 'us-central1')).toMatchObject({ hourly_price: '0.050000', source: 'override', catalog_price: '0.067011' });
    const listed = await ask(t, 'U_ADMIN', 'admin price e2-standard-2');
    expect(listed.all).toContain('us-central1 USD 0.05/h (override by <@U_ADMIN>; catalog USD 0.07)');

    undo.push(() => ask(t, 'U_ADMIN', 'admin discount off'));
    const discount = await ask(t, 'U_ADMIN', 'admin discount 20');
    expect(discount.text).toContain('Costs now use list prices less a 20% discount');
    const modal = await openLaunchModal(t, 'U_CAROL');
    // e2-medium: 0.033506 × 0.8 = 0.0268 per hour; 8 hours = 0.21.
    expect(JSON.stringify(modal.blocks)).toContain('*Estimated cost:* USD 0.21 for 8 hours at USD 0.027/h (on-demand list prices less a 20% discount)');
    const usage = await ask(t, 'U_ALICE', 'usage');
    expect(usage.all).toContain('Costs use on-demand list prices less a 20% discount');
    expect((await ask(t, 'U_ADMIN', 'admin discount nonsense')).text).toContain('Usage: `/demo admin discount');

    // Home: a saved image's storage at the catalog's machine-image rate, and the budget's reserve, both discounted.
    const saved = (title: string, region: string) =>
      t.db
        .insertInto('images')
        .values({
          project: t.config.gce.project,
          gce_name: `img-${title.toLowerCase()}`,
          title,
          description: '',
          owner_id: 'U_DAVE',
          visibility: 'private',
          origin: 'saved',
          storage_bytes: String(20 * 1024 ** 3),
          region,
          created_at: new Date(),
          updated_at: new Date(),
        })
        .execute();
    await saved('Priced', 'us-central1');
    await saved('Unpriced', 'asia-east1');
    await launchFromCatalog(t, 'U_DAVE', 'crm-demo');
    await demoInState(t, 'U_DAVE', 'running', 'ready');
    await t.slack.homeOpened({ user: 'U_DAVE' });
    const home = await eventually(
      () => JSON.stringify(t.fake.home('U_DAVE')?.blocks ?? []),
      (h) => h.includes('Priced') && h.includes('demos running'),
    );
    // 20 GiB × USD 0.05 per GiB-month × 0.8 = 0.80 (1.00 at list price).
    expect(home).toMatch(/\*Priced\*[^"]*20 GiB, ≈\$0\.80\/month/);
    expect(home).toMatch(/\*Unpriced\*[^"]*20 GiB, storage price unknown/);
    // e2-medium for 8 hours at 0.0268 per hour reserves 0.21 (0.27 at list price).
    expect(home).toMatch(/1 of \d+ demos running · USD 0\.\d\d spent \+ USD 0\.21 reserved of USD \d+\.\d\d this month/);
  });
});
