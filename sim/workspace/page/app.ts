// Event handlers start requests with `void` and return: post() turns a failure into an answer shown on the page.
import { emojiReady } from './emoji.ts';
import { fetchState, onChanges, post, type Snapshot } from './api.ts';
import { renderBlocks } from './blocks.ts';
import { byId, fill, h } from './dom.ts';
import { renderGce } from './gce.ts';
import { banners, composerChannel, composerPlaceholder, paneHeader, sidebar, type Navigation, type Where } from './layout.ts';
import { attachMentions, encodeMentions, type Directory } from './mentions.ts';
import { channelTimeline, renderMessage, threadTimeline, type MessageDeps } from './messages.ts';
import { confirmDialog, renderModal, type ModalView } from './modal.ts';
import { ValueStore, type ActionRequest, type BlockContext, type OptionsAnswer, type Surface } from './surface.ts';
import type { TextContext } from './text.ts';

/** The local workspace page: draws one user's Slack from snapshots and turns clicks into interactions. */

const USERS = ['U_ALICE', 'U_BOB', 'U_MANAGER', 'U_ADMIN'];
const params = new URLSearchParams(location.search);
const ui = {
  user: params.get('as') ?? localStorage.getItem('local-workspace-user') ?? USERS[0]!,
  snap: undefined as Snapshot | undefined,
  where: { kind: 'channel', id: 'C_DEMOS' } as Where,
  thread: undefined as { channel: string; ts: string } | undefined,
  showGce: true,
  values: new Map<string, ValueStore>(),
  viewErrors: new Map<string, Record<string, string>>(),
  drawn: new Map<string, string>(),
};

const el = {
  banners: byId('banners'),
  sidebar: byId('sidebar'),
  header: byId('pane-header'),
  body: byId('pane-body'),
  composer: byId<HTMLFormElement>('composer'),
  input: byId<HTMLTextAreaElement>('composer-input'),
  note: byId('composer-note'),
  side: byId('side'),
  modal: byId('modal-root'),
  toast: byId('toast'),
};

// ---- interactions ---------------------------------------------------------------------------

function toast(message: string): void {
  el.toast.textContent = message;
  el.toast.hidden = false;
  clearTimeout(Number(el.toast.dataset['timer']));
  el.toast.dataset['timer'] = String(setTimeout(() => (el.toast.hidden = true), 8000));
}

function surfaceKey(s: Surface): string {
  return 'viewId' in s ? s.viewId : `${s.channel}/${'messageTs' in s ? s.messageTs : s.ephemeralTs}`;
}

function store(s: Surface): ValueStore {
  const key = surfaceKey(s);
  if (!ui.values.has(key)) ui.values.set(key, new ValueStore());
  return ui.values.get(key)!;
}

function textContext(): TextContext {
  const snap = ui.snap!;
  return {
    userName: (id) => snap.users.find((u) => u.id === id)?.realName ?? id,
    channelName: (id) => snap.channels.find((c) => c.id === id)?.name ?? id,
    tz: snap.users.find((u) => u.id === snap.me)?.tz ?? 'UTC',
  };
}

function blockContext(surface: Surface, blocks: unknown[]): BlockContext {
  const snap = ui.snap!;
  return {
    ...textContext(),
    surface,
    values: store(surface),
    errors: 'viewId' in surface ? (ui.viewErrors.get(surface.viewId) ?? {}) : {},
    users: snap.users.filter((u) => !u.isBot),
    channels: snap.channels,
    act: async (req: ActionRequest) => {
      const answer = await post('action', { user: ui.user, surface, ...req, state: store(surface).entries(blocks) });
      if (!answer.ok) toast(answer.error ?? 'That did not work.');
    },
    suggest: async (actionId, value): Promise<OptionsAnswer> => {
      const answer = await post('suggest', { user: ui.user, surface, actionId, value });
      if (!answer.ok || !answer.options) {
        toast(answer.error ?? 'The app sent no options.');
        return { options: [], option_groups: [] };
      }
      return answer.options;
    },
    confirm: (dialog) => confirmDialog(dialog, textContext()),
  };
}

/** Who and what can be mentioned: the people and channels of the workspace. */
function directory(): Directory {
  const snap = ui.snap;
  return { users: snap?.users.filter((u) => !u.isBot) ?? [], channels: snap?.channels ?? [] };
}

async function send(typed: string, threadTs?: string): Promise<string | undefined> {
  const snap = ui.snap!;
  const channel = threadTs ? ui.thread!.channel : composerChannel(snap, ui.where);
  if (!channel || !typed.trim()) return undefined;
  // As Slack's client does: mentions leave as ids (the command's should_escape, a message's <@U…>).
  const text = encodeMentions(typed, directory());
  const answer =
    text.trim().startsWith('/') && !threadTs
      ? await post('command', { user: ui.user, channel, text: text.trim() })
      : await post('message', { user: ui.user, channel, text, ...(threadTs ? { threadTs } : {}) });
  return answer.ok ? undefined : (answer.error ?? 'That did not work.');
}

const nav: Navigation = {
  go(where) {
    ui.where = where;
    ui.thread = undefined;
    if (where.kind === 'app') void post('home', { user: ui.user, tab: where.tab });
    render();
  },
  switchUser(id) {
    ui.user = id;
    localStorage.setItem('local-workspace-user', id);
    const url = new URL(location.href);
    url.searchParams.set('as', id);
    history.replaceState(null, '', url);
    ui.thread = undefined;
    ui.values.clear();
    ui.viewErrors.clear();
    if (ui.where.kind === 'app') void post('home', { user: id, tab: ui.where.tab });
    void refresh();
  },
  toggleGce() {
    ui.showGce = !ui.showGce;
    render();
  },
};

// ---- drawing ----------------------------------------------------------------------------------

/** Redraw a region only when what it shows changed, so typing and focus survive unrelated updates. */
function region(name: string, signature: unknown, draw: () => void): void {
  const sig = JSON.stringify(signature);
  if (ui.drawn.get(name) === sig) return;
  ui.drawn.set(name, sig);
  draw();
}

function messageDeps(): MessageDeps {
  return {
    snap: ui.snap!,
    text: textContext(),
    blockContext,
    openThread: (channel, ts) => {
      ui.thread = { channel, ts };
      render();
    },
    dismiss: (ts) => void post('dismiss', { user: ui.user, ts }),
  };
}

function drawPane(snap: Snapshot): void {
  const where = ui.where;
  const home = where.kind === 'app' && where.tab === 'home';
  const shown = where.kind === 'channel' ? where.id : home ? null : snap.appDm;
  const timeline = shown ? channelTimeline(snap, shown) : [];
  region('header', [snap.me, where, snap.channels], () => fill(el.header, paneHeader(snap, where, nav)));
  region('pane', [snap.me, where, home ? snap.home : timeline], () => {
    const atBottom = el.body.scrollHeight - el.body.scrollTop - el.body.clientHeight < 80;
    if (home) {
      const view = snap.home;
      fill(
        el.body,
        view
          ? h('div', { class: 'home', 'data-view-id': view.id }, renderBlocks(view.blocks, blockContext({ viewId: view.id }, view.blocks)))
          : h('p', { class: 'empty' }, `${snap.bot.name} has not set up a Home tab for you yet.`),
      );
    } else {
      const deps = messageDeps();
      fill(el.body, timeline.length ? timeline.map((s) => renderMessage(s, deps)) : h('p', { class: 'empty' }, 'No messages yet. Type /demo below to start.'));
      if (atBottom || ui.drawn.get('pane-where') !== JSON.stringify(where)) el.body.scrollTop = el.body.scrollHeight;
    }
    ui.drawn.set('pane-where', JSON.stringify(where));
  });
  el.composer.hidden = home;
  el.input.placeholder = composerPlaceholder(snap, where);
}

function drawSide(snap: Snapshot): void {
  const thread = ui.thread;
  if (thread) {
    const items = threadTimeline(snap, thread.channel, thread.ts);
    region('side', ['thread', snap.me, thread, items], () => {
      const close = h('button', { type: 'button', class: 'modal-x', 'aria-label': 'Close thread' }, '✕');
      close.addEventListener('click', () => {
        ui.thread = undefined;
        render();
      });
      const input = h('textarea', { class: 'thread-input', rows: 2, placeholder: 'Reply…', 'aria-label': 'Reply in thread' });
      const note = h('div', { class: 'composer-note' });
      input.addEventListener('keydown', (e) => {
        if (e.key !== 'Enter' || e.shiftKey) return;
        e.preventDefault();
        const text = input.value;
        input.value = '';
        void send(text, thread.ts).then((err) => (note.textContent = err ?? ''));
      });
      const deps = messageDeps();
      fill(
        el.side,
        h(
          'div',
          { class: 'thread' },
          h('header', { class: 'side-head' }, h('h2', {}, 'Thread'), close),
          h(
            'div',
            { class: 'thread-body' },
            items.map((s) => renderMessage(s, deps, { inThread: true })),
          ),
          input,
          note,
        ),
      );
    });
    el.side.hidden = false;
    return;
  }
  el.side.hidden = !ui.showGce;
  if (ui.showGce) region('side', ['gce', snap.me, snap.gce], () => fill(el.side, renderGce(snap.gce, textContext().tz, snap.me)));
}

function drawModal(snap: Snapshot): void {
  const stack = snap.modals as unknown as Array<ModalView & { hash: string }>;
  const errors = stack.map((v) => ui.viewErrors.get(v.id) ?? {});
  region('modal', [snap.me, stack.map((v) => [v.id, v.hash]), errors], () => {
    const focused = document.activeElement?.getAttribute('data-action-id');
    const modal = renderModal(stack, {
      body: (view) => renderBlocks(view.blocks, blockContext({ viewId: view.id }, view.blocks)),
      submit: async (view) => {
        const answer = await post('submit', { user: ui.user, viewId: view.id, state: store({ viewId: view.id }).entries(view.blocks) });
        if (!answer.ok) return answer.error ?? 'We had some trouble connecting. Try again?';
        ui.viewErrors.set(view.id, answer.outcome?.outcome === 'errors' ? (answer.outcome.errors ?? {}) : {});
        render();
        return undefined;
      },
      close: async (view, all) => {
        const answer = await post('close', { user: ui.user, viewId: view.id, all });
        if (!answer.ok) toast(answer.error ?? 'Could not close the modal.');
      },
    });
    fill(el.modal, modal);
    // A views.update redraws the modal: keep the cursor where the user was typing.
    const again = focused ? el.modal.querySelector<HTMLElement>(`[data-action-id="${CSS.escape(focused)}"]`) : null;
    if (again instanceof HTMLInputElement || again instanceof HTMLTextAreaElement) again.focus();
  });
}

function render(): void {
  const snap = ui.snap;
  if (!snap) return;
  document.body.dataset['user'] = snap.me;
  document.body.dataset['seq'] = String(snap.seq);
  region('banners', snap.banner, () => fill(el.banners, banners(snap)));
  region('sidebar', [snap.me, snap.users, snap.channels, ui.where, ui.showGce], () => fill(el.sidebar, sidebar(snap, ui.where, ui.showGce, nav)));
  drawPane(snap);
  drawSide(snap);
  drawModal(snap);
}

// ---- data -----------------------------------------------------------------------------------

let loading: Promise<void> | undefined;
let again = false;

/** Fetch a snapshot; changes that arrive meanwhile cause exactly one more fetch. */
async function refresh(): Promise<void> {
  if (loading) {
    again = true;
    return loading;
  }
  loading = (async () => {
    do {
      again = false;
      try {
        // The first render waits for the emoji map too, so shortcodes never flash as text.
        [ui.snap] = await Promise.all([fetchState(ui.user), emojiReady]);
        render();
      } catch (err) {
        toast(`Could not load the workspace: ${(err as Error).message}`);
      }
    } while (again);
  })();
  await loading;
  loading = undefined;
}

el.composer.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = el.input.value;
  el.input.value = '';
  el.note.textContent = '';
  void send(text).then((err) => {
    el.note.textContent = err ?? '';
  });
});
// First: Enter picks a suggestion while the list is open, rather than sending.
attachMentions(el.input, directory);
el.input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    el.composer.requestSubmit();
  }
});

onChanges(
  () => void refresh(),
  (connected) => document.body.classList.toggle('disconnected', !connected),
);
void refresh();
