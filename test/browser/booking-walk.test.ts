import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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
    // It opens at now (launch at once), in the browser's own zone as Slack shows it in the user's.
    const opened = await readyBy.inputValue();
    expect(Math.abs(new Date(opened).getTime() - Date.now())).toBeLessThan(2 * 60_000);
    // Tomorrow at 09:00, the browser's time.
    const tomorrow = new Date();
    tomorrow.setDate(tomorrow.getDate() + 1);
    tomorrow.setHours(9, 0, 0, 0);
    const pad = (n: number) => String(n).padStart(2, '0');
    await readyBy.fill(`${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}T09:00`);
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
