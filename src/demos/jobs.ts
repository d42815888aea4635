import { randomUUID } from 'node:crypto';
import type { WorkerContext } from '../context.ts';
import { closeInterval, openInterval, reportedOr, stoppedAt } from '../accounting/ledger.ts';
import { closeSuspended } from '../accounting/suspended-ledger.ts';
import { endKeeps } from './suspend.ts';
import { escapeMrkdwn } from '../platform/blocks.ts';
import { GcpError, operationFailure, type OperationRef } from '../platform/compute/port.ts';
import { metrics } from '../platform/metrics.ts';
import * as catalog from '../catalog/service.ts';
import type { CatalogImageRef } from '../catalog/service.ts';
import { sameLabels, takeFromPool, withoutPoolLabels } from './pool.ts';
import { handedOutAt } from './pool-store.ts';
import { DemoJobs } from './ids.ts';
import { demoLabels, type PowerAction } from './service.ts';
import { appHost, runLimitSeconds, vmPlacement } from './placement.ts';
import { appTarget, syncStatus } from './status.ts';
import * as store from './store.ts';
import type { Demo } from './store.ts';
import { appAnswers, dropInheritedServiceAccount, gceRefusal, PollBudget, stepRunner, waitForStatus } from './vm-steps.ts';

/** A GCE mutation of this demo as a resumable step (see platform/gce-steps.ts). */
function runStep(ctx: WorkerContext, demo: Demo, step: string, call: (requestId: string) => Promise<OperationRef>, signal?: AbortSignal): Promise<void> {
  return stepRunner(ctx, { kind: 'demo', id: demo.id }, signal)(step, call);
}

async function failLaunch(ctx: WorkerContext, demo: Demo, kind: string, reason: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db
    .transaction()
    .execute(async (trx) => {
      const ok = await store.transition(
        trx,
        demo.id,
        { state: ['provisioning', 'running'] },
        { state: 'failed', progress: 'idle', failure_reason: reason, failure_kind: kind },
        now,
      );
      if (ok) await closeInterval(trx, demo.id, now);
      return ok;
    })
    .then((ok) => ok && metrics.launches.inc({ outcome: 'failed', reason: kind }));
  // Nothing half-done: a VM that was created anyway goes.
  try {
    const instance = await ctx.compute.getInstance(demo.zone, demo.instanceName);
    if (instance) await runStep(ctx, demo, 'delete-after-failure', (rid) => ctx.compute.deleteInstance(demo.zone, demo.instanceName, rid));
  } catch (err) {
    ctx.log.error({ err, demoId: demo.id }, 'could not clean up the VM of a failed launch; the reconciler will report it');
  }
  await syncStatus(ctx, demo.id, { required: true });
}

/**
 * GCE's run limit counts from each start and changes only while the VM is stopped: re-checked before
 * every Start, so a limit set under an older DEMO_MAX_TTL_HOURS follows the current one.
 */
async function checkRunLimit(ctx: WorkerContext, demo: Demo, step: string, signal?: AbortSignal): Promise<void> {
  const vm = await ctx.compute.getInstance(demo.zone, demo.instanceName);
  const seconds = runLimitSeconds(ctx.config);
  if (!vm || vm.status !== 'TERMINATED' || vm.maxRunSeconds === seconds) return;
  await runStep(ctx, demo, step, (requestId) => ctx.compute.setMaxRunDuration({ zone: demo.zone, name: demo.instanceName, seconds, requestId }), signal);
}

/** The clone path: a new VM from the machine image (creating → booting). */
async function cloneImage(ctx: WorkerContext, demo: Demo, image: CatalogImageRef, signal?: AbortSignal): Promise<void> {
  await store.transition(ctx.db, demo.id, { state: 'provisioning', progress: 'queued' }, { progress: 'creating' }, ctx.clock.now());
  await syncStatus(ctx, demo.id);
  await runStep(
    ctx,
    demo,
    'insert',
    (requestId) =>
      ctx.compute.insertInstance({
        name: demo.instanceName,
        zone: demo.zone,
        sourceMachineImage: `projects/${image.project}/global/machineImages/${image.gceName}`,
        machineType: demo.machineType,
        labels: demoLabels(demo),
        placement: vmPlacement(ctx.config, demo.zone),
        requestId,
      }),
    signal,
  );
  await dropInheritedServiceAccount(ctx, demo, stepRunner(ctx, { kind: 'demo', id: demo.id }, signal), signal);
  await store.transition(ctx.db, demo.id, { state: 'provisioning', progress: ['queued', 'creating'] }, { progress: 'booting' }, ctx.clock.now());
  await syncStatus(ctx, demo.id);
}

/**
 * The pool path: the clone handed to this demo gets the demo's labels (purpose=pool goes) and is
 * resumed, its app already running. Each step is resumable, so a crash anywhere after the hand-out
 * continues here with the same VM.
 */
async function resumeFromPool(ctx: WorkerContext, demo: Demo, signal?: AbortSignal): Promise<void> {
  await store.transition(ctx.db, demo.id, { state: 'provisioning', progress: ['queued', 'creating'] }, { progress: 'booting' }, ctx.clock.now());
  await syncStatus(ctx, demo.id);
  const { zone, instanceName: name } = demo;
  const vm = await ctx.compute.getInstance(zone, name);
  if (!vm) throw new GcpError('not_found', `The warm pool VM ${name} it was given is gone.`);
  const labels = { ...withoutPoolLabels(vm.labels), ...demoLabels(demo) };
  if (!sameLabels(vm.labels, labels))
    await runStep(
      ctx,
      demo,
      'pool:labels',
      (requestId) => ctx.compute.setInstanceLabels({ zone, name, labels, labelFingerprint: vm.labelFingerprint ?? '', requestId }),
      signal,
    );
  const now = await waitForStatus(ctx, demo, ['SUSPENDED', 'RUNNING'], signal);
  if (now.status === 'SUSPENDED') await runStep(ctx, demo, 'pool:resume', (rid) => ctx.compute.resumeInstance(zone, name, rid), signal);
}

export async function launchJob(
  ctx: WorkerContext,
  data: { demoId: string },
  attempt: { retryCount: number; final: boolean; signal?: AbortSignal },
): Promise<void> {
  const demo = await store.getDemo(ctx.db, data.demoId);
  if (!demo || demo.state !== 'provisioning') {
    if (demo) await syncStatus(ctx, demo.id, { required: true });
    return;
  }
  const image = await catalog.getImage(ctx.db, demo.imageId);
  if (!image) return failLaunch(ctx, demo, 'not_found', 'Its image was removed from the catalog before the VM was created.');
  await syncStatus(ctx, demo.id);
  try {
    // A pooled image's launch takes a suspended clone from the warm pool when one is ready.
    const taken = demo.fromPool ? { ...demo, handedOutAt: await handedOutAt(ctx.db, demo.id) } : await takeFromPool(ctx, demo);
    if (taken) await resumeFromPool(ctx, taken, attempt.signal);
    else await cloneImage(ctx, demo, image, attempt.signal);
    const instance = await waitForStatus(ctx, taken ?? demo, ['RUNNING'], attempt.signal);
    const now = ctx.clock.now();
    await ctx.db
      .transaction()
      .execute(async (trx) => {
        const ok = await store.transition(
          trx,
          demo.id,
          { state: 'provisioning' },
          {
            state: 'running',
            progress: 'ready',
            external_ip: instance.externalIp ?? null,
            internal_ip: instance.internalIp ?? null,
            // From the submission, or a booking's start (the history bookings plan with).
            ready_seconds: Math.max(0, Math.round((now.getTime() - (demo.launchAt ?? demo.createdAt).getTime()) / 1000)),
          },
          now,
        );
        // From when GCE says it started, however late this step got to see it (a resumed job, a slow GCE);
        // a pool VM is its user's from the hand-out (before that, the pool's).
        const startedAt = taken ? (taken.handedOutAt ?? now) : reportedOr(instance.lastStartAt, now);
        if (ok) await openInterval(trx, store.intervalSubject(demo), { startedAt, seenAt: now });
        if (ok && image.app && appHost(ctx.config, instance)) await ctx.jobs.send(DemoJobs.probe, { demoId: demo.id }, { trx });
        return ok;
      })
      .then((ok) => ok && metrics.launches.inc({ outcome: 'ready', reason: '' }));
    await syncStatus(ctx, demo.id, { required: true });
  } catch (err) {
    if (attempt.signal?.aborted) throw err; // shutting down: another worker resumes this launch
    const known = gceRefusal(err);
    if (!known && !attempt.final) throw err;
    const current = (await store.getDemo(ctx.db, demo.id)) ?? demo; // its VM may be a pool VM's now
    if (known) return failLaunch(ctx, current, known.kind, known.reason);
    return failLaunch(ctx, current, 'unavailable', `GCE kept failing, so I gave up: ${(err as Error).message}`);
  }
}

const AFTER: Record<PowerAction, { state: Demo['state']; progress: Demo['progress'] }> = {
  stop: { state: 'stopped', progress: 'idle' },
  start: { state: 'running', progress: 'ready' },
  delete: { state: 'deleted', progress: 'idle' },
};

export async function powerJob(
  ctx: WorkerContext,
  data: { demoId: string; action: PowerAction; requestId: string },
  attempt: { final: boolean; signal?: AbortSignal },
): Promise<void> {
  const demo = await store.getDemo(ctx.db, data.demoId);
  const busy = { stop: 'stopping', start: 'starting', delete: 'deleting' }[data.action];
  if (!demo || demo.progress !== busy) return; // done already (a retried job) or superseded
  try {
    const step = `${data.action}:${data.requestId}`;
    if (data.action === 'stop') await runStep(ctx, demo, step, (rid) => ctx.compute.stopInstance(demo.zone, demo.instanceName, rid), attempt.signal);
    if (data.action === 'start') {
      await checkRunLimit(ctx, demo, `run-limit:${data.requestId}`, attempt.signal);
      await runStep(ctx, demo, step, (rid) => ctx.compute.startInstance(demo.zone, demo.instanceName, rid), attempt.signal);
    }
    if (data.action === 'delete') {
      const exists = await ctx.compute.getInstance(demo.zone, demo.instanceName);
      if (exists) await runStep(ctx, demo, step, (rid) => ctx.compute.deleteInstance(demo.zone, demo.instanceName, rid), attempt.signal);
    }
    const instance = data.action === 'start' ? await waitForStatus(ctx, demo, ['RUNNING'], attempt.signal) : null;
    // The stop GCE reports ends the interval, not the moment this job (perhaps resumed much later) saw it done.
    const stopped = data.action === 'stop' ? await ctx.compute.getInstance(demo.zone, demo.instanceName) : null;
    const now = ctx.clock.now();
    await ctx.db.transaction().execute(async (trx) => {
      const to = AFTER[data.action];
      const ok = await store.transition(
        trx,
        demo.id,
        { state: demo.state, progress: busy as Demo['progress'] },
        {
          ...to,
          ...(instance ? { external_ip: instance.externalIp ?? null, internal_ip: instance.internalIp ?? null, app_ready: null } : {}),
          ...(data.action === 'stop' ? { external_ip: null } : {}),
        },
        now,
      );
      if (!ok) return;
      if (instance) await openInterval(trx, store.intervalSubject(demo), { startedAt: reportedOr(instance.lastStartAt, now), seenAt: now });
      else await closeInterval(trx, demo.id, stoppedAt(stopped?.lastStopAt, now));
      // Deleted from suspended: its suspended time ends; a Keep running ends with the VM going down.
      if (!instance) await closeSuspended(trx, demo.id, now);
      if (!instance) await endKeeps(trx, demo.id, now);
    });
    await syncStatus(ctx, demo.id, { required: true });
  } catch (err) {
    if (attempt.signal?.aborted) throw err; // shutting down: another worker resumes this
    const known = gceRefusal(err);
    if (!known && !attempt.final) throw err;
    // Give the buttons back, say what happened; the VM is as GCE left it.
    const back = demo.state === 'running' ? 'ready' : 'idle';
    await store.transition(ctx.db, demo.id, { state: demo.state, progress: busy as Demo['progress'] }, { progress: back }, ctx.clock.now());
    await syncStatus(ctx, demo.id);
    const reason = known?.reason ?? (err as Error).message;
    await ctx.poster.postMessage({
      channel: demo.ownerId,
      text: `:warning: Could not ${data.action} \`${escapeMrkdwn(demo.displayName)}\`: ${escapeMrkdwn(reason)}`,
    });
  }
}

/**
 * Does the demo's app answer? A bounded probe; the verdict goes into the status DM. The target is
 * looked up again before each try (a VM's address can come late) and fetched only if ctx.appReach
 * allows it: an image's labels must not turn the probe on the app's own host or the metadata server.
 */
export async function probeJob(ctx: WorkerContext, data: { demoId: string }): Promise<void> {
  const launched = await store.getDemo(ctx.db, data.demoId);
  if (!launched || launched.state !== 'running') return;
  const app = (await catalog.getImage(ctx.db, launched.imageId))?.app ?? null;
  if (!app) return;
  let ready = false;
  for (const budget = new PollBudget(ctx.clock, ctx.config.demo.readinessTimeoutSeconds * 1000); !ready && !budget.over;) {
    const demo = await store.getDemo(ctx.db, data.demoId);
    if (demo?.state !== 'running') return; // stopped or deleted meanwhile: no verdict to give
    const target = appTarget(ctx, demo, app);
    if (target && !ctx.appReach.mayProbe(target.endpoint)) {
      ctx.log.warn({ demoId: demo.id, target: target.endpoint }, 'readiness probe refused: the app address is not one a demo VM may have');
      break;
    }
    if (target) ready = await appAnswers(target.url);
    if (!ready) await budget.pause(2_000);
  }
  await store.transition(ctx.db, data.demoId, { state: 'running' }, { app_ready: ready }, ctx.clock.now());
  await syncStatus(ctx, data.demoId);
}

/**
 * After a hand-over, the VM's `owner` label follows the demo's owner (people filter the Cloud Console
 * and billing exports by it). setLabels replaces labels whole and quotes the fingerprint of the labels
 * it read: a change in between is refused (412) and the job retries from a fresh read.
 */
export async function relabelJob(ctx: WorkerContext, data: { demoId: string }): Promise<void> {
  const demo = await store.getDemo(ctx.db, data.demoId);
  if (!demo || demo.state === 'deleted' || demo.state === 'failed') return;
  const instance = await ctx.compute.getInstance(demo.zone, demo.instanceName);
  if (!instance) {
    // Not created yet: the launch job may have read the old owner; look again after it has run.
    if (demo.state === 'provisioning') throw new Error(`${demo.instanceName} does not exist yet; its labels are set once it does`);
    return;
  }
  const owner = demoLabels(demo).owner!;
  if (instance.labels['owner'] === owner) return;
  const op = await ctx.compute.setInstanceLabels({
    zone: demo.zone,
    name: demo.instanceName,
    labels: { ...instance.labels, owner },
    labelFingerprint: instance.labelFingerprint ?? '',
    requestId: randomUUID(), // a retry reads the labels again and sends a new request
  });
  const failure = operationFailure(await ctx.compute.waitOperation(op, { timeoutMs: 5 * 60_000 }));
  if (failure) throw failure;
}
