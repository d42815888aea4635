import type { Snapshot } from '../snapshot.ts';
import { avatar, h } from './dom.ts';

/** Banners, sidebar and pane header: the chrome around the messages. */

export type Where = { kind: 'channel'; id: string } | { kind: 'app'; tab: 'home' | 'messages' };

export interface Navigation {
  go(where: Where): void;
  switchUser(id: string): void;
  toggleGce(): void;
}

export function banners(snap: Snapshot): HTMLElement[] {
  const b = snap.banner;
  const gce =
    b.gceMode === 'simulator'
      ? `GCE is simulated (project ${b.project})`
      : b.gceMode === 'emulator'
        ? `GCE is an emulator (project ${b.project})`
        : `GCE is REAL (project ${b.project})`;
  const out = [
    h(
      'div',
      { class: 'banner', role: 'status', 'data-banner': 'local' },
      h('b', {}, 'Local workspace — not Slack.'),
      ` No login: anyone who can open this page acts as any user. Listening on ${b.bindAddress}. ${gce}.`,
    ),
  ];
  if (b.realGcp) {
    out.push(
      h(
        'div',
        { class: 'banner danger', role: 'alert', 'data-banner': 'real-gcp' },
        h('b', {}, `Real GCP project ${b.project}.`),
        ' ALLOW_LOCAL_WORKSPACE_WITH_REAL_GCP is set: demos launched here are real VMs that cost money.',
      ),
    );
  }
  return out;
}

export function sidebar(snap: Snapshot, where: Where, showGce: boolean, nav: Navigation): HTMLElement {
  const me = snap.users.find((u) => u.id === snap.me);
  const switcher = h(
    'select',
    { id: 'user-switch', 'aria-label': 'Act as user' },
    snap.users.filter((u) => !u.isBot).map((u) => h('option', { value: u.id, selected: u.id === snap.me }, `${u.realName} — ${u.title}`)),
  );
  switcher.addEventListener('change', () => nav.switchUser(switcher.value));
  const item = (label: string, active: boolean, onClick: () => void, attrs: Record<string, string> = {}) => {
    const b = h('button', { type: 'button', class: `nav-item${active ? ' active' : ''}`, ...attrs }, label);
    b.addEventListener('click', onClick);
    return b;
  };
  return h(
    'div',
    { class: 'sidebar-inner' },
    h('div', { class: 'team' }, h('span', { class: 'team-name' }, snap.team.name), h('span', { class: 'team-tag' }, 'local')),
    h(
      'div',
      { class: 'me' },
      me ? avatar(me.id, me.realName) : null,
      h('label', { class: 'switcher' }, h('span', { class: 'switcher-label' }, 'Acting as'), switcher),
    ),
    h('h4', {}, 'Channels'),
    snap.channels.map((c) =>
      item(`${c.isPrivate ? '🔒' : '#'} ${c.name}`, where.kind === 'channel' && where.id === c.id, () => nav.go({ kind: 'channel', id: c.id }), {
        'data-channel': c.name,
      }),
    ),
    h('h4', {}, 'Apps'),
    item(`⚙ ${snap.bot.name}`, where.kind === 'app', () => nav.go({ kind: 'app', tab: 'messages' }), { 'data-app': snap.bot.name }),
    h('h4', {}, 'Local tools'),
    item(`${showGce ? '▾' : '▸'} ${snap.gce.simulated ? 'Simulated GCE' : 'GCE'}`, false, () => nav.toggleGce(), { 'data-tool': 'gce' }),
  );
}

export function paneHeader(snap: Snapshot, where: Where, nav: Navigation): HTMLElement {
  if (where.kind === 'channel') {
    const c = snap.channels.find((x) => x.id === where.id);
    return h('div', { class: 'pane-title' }, h('h1', {}, `${c?.isPrivate ? '🔒' : '#'} ${c?.name ?? where.id}`));
  }
  const tab = (id: 'home' | 'messages', label: string) => {
    const b = h(
      'button',
      { type: 'button', role: 'tab', class: `tab${where.tab === id ? ' active' : ''}`, 'aria-selected': String(where.tab === id), 'data-tab': id },
      label,
    );
    b.addEventListener('click', () => nav.go({ kind: 'app', tab: id }));
    return b;
  };
  return h(
    'div',
    { class: 'pane-title' },
    h('h1', {}, `⚙ ${snap.bot.name}`, h('span', { class: 'app-badge' }, 'APP')),
    h('div', { class: 'tabs', role: 'tablist' }, tab('home', 'Home'), tab('messages', 'Messages')),
  );
}

/** Which channel the composer posts to: the channel, or the app's DM (opened on first use, as Slack does). */
export function composerChannel(snap: Snapshot, where: Where): string | undefined {
  if (where.kind === 'channel') return where.id;
  return where.tab === 'messages' ? (snap.appDm ?? snap.me) : undefined;
}

export function composerPlaceholder(snap: Snapshot, where: Where): string {
  if (where.kind === 'app') return `Message ${snap.bot.name} — try /demo`;
  const c = snap.channels.find((x) => x.id === where.id);
  return `Message #${c?.name ?? ''} — try /demo`;
}
