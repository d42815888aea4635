import type { GceSnapshot } from '../snapshot.ts';
import { post } from './api.ts';
import { h, type Child } from './dom.ts';

/** The "Simulated GCE" panel: what the simulated project holds, updated live. */

const STATUS_CLASS: Record<string, string> = {
  RUNNING: 'ok',
  READY: 'ok',
  DONE: 'ok',
  PROVISIONING: 'busy',
  STAGING: 'busy',
  STOPPING: 'busy',
  CREATING: 'busy',
  PENDING: 'busy',
  SUSPENDING: 'busy',
  TERMINATED: 'off',
  STOPPED: 'off',
  SUSPENDED: 'off',
};

const status = (s: string, error?: string | null) => h('span', { class: `status ${error ? 'bad' : (STATUS_CLASS[s] ?? '')}` }, error ? `${s} · ${error}` : s);

function labels(l: Record<string, string>): Child {
  const entries = Object.entries(l);
  return entries.length
    ? h(
        'div',
        { class: 'labels' },
        entries.map(([k, v]) => h('span', { class: 'label-chip' }, `${k}=${v}`)),
      )
    : null;
}

const ACTIVITIES = [
  ['idle-noise', 'Nobody on it (idle)'],
  ['slow-reading', 'A customer reading slowly'],
  ['screen-share', 'Demoing on a screen share'],
] as const;

/** What you do on a VM, as Cloud Monitoring will see it (the app's idle check reads those series). */
function activityPicker(me: string, instance: string, current: string): HTMLElement {
  const select = h(
    'select',
    { class: 'activity', 'data-activity-for': instance, 'aria-label': `Activity on ${instance}` },
    ACTIVITIES.map(([value, label]) => h('option', { value, selected: value === current }, label)),
  );
  select.addEventListener('change', () => void post('activity', { user: me, instance, pattern: select.value }));
  return h('label', { class: 'muted activity-line' }, 'Activity: ', select);
}

/** One resource: its name and status on top, details below. */
function card(name: string, state: HTMLElement, ...details: Child[]): HTMLElement {
  return h('div', { class: 'gce-card', 'data-name': name }, h('div', { class: 'gce-card-head' }, h('code', { class: 'gce-name' }, name), state), details);
}

function section(caption: string, items: HTMLElement[], empty: string): HTMLElement {
  return h(
    'section',
    { class: 'gce-section', 'data-gce': caption.toLowerCase().replace(/\s+/g, '-') },
    h('h3', {}, caption, h('span', { class: 'count' }, String(items.length))),
    items.length ? items : h('p', { class: 'muted' }, empty),
  );
}

export function renderGce(gce: GceSnapshot, tz: string, me: string): HTMLElement {
  if (!gce.simulated) {
    const what = gce.mode === 'emulator' ? 'a GCE emulator' : 'the real Google Compute Engine';
    return h('div', { class: 'gce' }, h('h2', {}, 'GCE'), h('p', {}, `Project ${gce.project} on ${what}: look in the Cloud Console for its VMs.`));
  }
  const time = (iso: string) => new Date(iso).toLocaleTimeString('en-US', { timeZone: tz, hour: 'numeric', minute: '2-digit', second: '2-digit' });
  return h(
    'div',
    { class: 'gce' },
    h('h2', {}, 'Simulated GCE', h('span', { class: 'muted project' }, ` · project ${gce.project}`)),
    section(
      'Instances',
      gce.instances.map((i) =>
        card(
          i.name,
          status(i.status),
          h(
            'div',
            { class: 'muted' },
            [i.zone, i.machineType, i.externalIp ? `IP ${i.externalIp}` : null, i.internalIp ? `internal ${i.internalIp}` : null].filter(Boolean).join(' · '),
          ),
          labels(i.labels),
          i.activity && i.status === 'RUNNING' ? activityPicker(me, i.name, i.activity) : null,
        ),
      ),
      'No VMs yet. Launch a demo with /demo.',
    ),
    section(
      'Machine images',
      gce.machineImages.map((m) =>
        card(m.name, status(m.status), h('div', { class: 'muted', title: m.description }, `${m.sizeGb} GB · ${m.description}`), labels(m.labels)),
      ),
      'No machine images.',
    ),
    section(
      'Images',
      gce.images.map((i) => card(i.name, status(i.status), labels(i.labels))),
      'No images (exports create them).',
    ),
    section(
      'Recent operations',
      gce.operations.map((o) => card(o.target, status(o.status, o.error), h('div', { class: 'muted' }, `${o.type} · ${time(o.insertTime)}`))),
      'No operations yet.',
    ),
  );
}
