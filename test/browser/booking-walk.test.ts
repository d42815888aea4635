import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { openWorkspace, type Workspace } from './helpers.ts';

/** Booking from the launch modal's "Ready by" (a datetimepicker), walked in the local workspace. */
describe('local workspace: book a demo for later', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await openWorkspace({ name: 'booking-walk' });
  });
  afterAll(async () => {
    await ws?.close();
    expect(ws?.errors ?? []).toEqual([]);
  });

  test('Alice picks a time in "Ready by": the demo is booked, not launched, and shows in her Home with Cancel', { timeout: 120_000 }, async () => {
    await ws.runCommand('/demo launch crm-demo');
    const launch = await ws.modal('Launch a demo');
    const readyBy = launch.locator('input[type="datetime-local"][data-action-id="demos.ready_by"]');
    // It opens at now (launch at once), shown in Alice's own zone (Europe/Berlin) as Slack shows it.
    const opened = await readyBy.inputValue();
    const berlinNow = new TZDate(Date.now(), 'Europe/Berlin');
    const pad = (n: number) => String(n).padStart(2, '0');
    const wall = (d: TZDate) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    expect([wall(berlinNow), wall(new TZDate(Date.now() - 60_000, 'Europe/Berlin'))]).toContain(opened);
    // Tomorrow at 09:00, Berlin time.
    const tomorrow = new TZDate(berlinNow.getFullYear(), berlinNow.getMonth(), berlinNow.getDate() + 1, 9, 0, 0, 'Europe/Berlin');
    await readyBy.fill(wall(tomorrow));
    await ws.shot('launch-modal-ready-by');
    await ws.submitModal();
    await expect.poll(() => launch.textContent()).toContain('is booked, ready by');
    await ws.shot('booked');
    await ws.closeModal();

    const booked = await ws.local.app.ctx.db.selectFrom('demos').selectAll().where('owner_id', '=', 'U_ALICE').execute();
    expect(booked.map((d) => [d.state, d.ready_by?.getTime()])).toEqual([['booked', tomorrow.getTime()]]);
    // Nothing was created in the simulator for it.
    expect(ws.app.sim.requestsFor('instances.insert').filter((r) => JSON.stringify(r.body).includes(booked[0]!.id))).toHaveLength(0);

    await ws.openApp('home');
    await expect.poll(() => ws.page.locator('.home').textContent(), { timeout: 20_000 }).toContain('Booked: Acme CRM');
    await ws.shot('home-booked');
  });
});
