// Event handlers start requests with `void` and return: post() turns a failure into an answer shown on the page.
import { h } from './dom.ts';
import { withEmoji } from './emoji.ts';
import { isObj, str, type Obj } from './surface.ts';
import { textObject, type TextContext } from './text.ts';

/** The modal overlay (top of the user's view stack) and Block Kit confirm dialogs. */

export interface ModalView {
  id: string;
  title?: Obj;
  submit?: Obj | null;
  close?: Obj | null;
  blocks: unknown[];
}

export interface ModalHandlers {
  body(view: ModalView): HTMLElement;
  submit(view: ModalView): Promise<string | undefined>;
  close(view: ModalView, all: boolean): Promise<void>;
}

const label = (t: unknown, fallback: string) => withEmoji(str(isObj(t) ? t['text'] : '')) || fallback;

export function renderModal(stack: ModalView[], handlers: ModalHandlers, problem?: string): HTMLElement | null {
  const view = stack.at(-1);
  if (!view) return null;
  const title = label(view.title, '');
  const footerError = h('div', { class: 'modal-problem', role: 'alert', hidden: !problem }, problem ?? '');
  const submit = view.submit ? h('button', { type: 'button', class: 'bk-button primary', 'data-modal': 'submit' }, label(view.submit, 'Submit')) : null;
  const close = h('button', { type: 'button', class: 'bk-button', 'data-modal': 'close' }, label(view.close, view.submit ? 'Cancel' : 'Close'));
  submit?.addEventListener('click', () => {
    submit.disabled = true;
    void handlers.submit(view).then((err) => {
      submit.disabled = false;
      footerError.textContent = err ?? '';
      footerError.hidden = !err;
    });
  });
  close.addEventListener('click', () => void handlers.close(view, false));
  const x = h('button', { type: 'button', class: 'modal-x', 'aria-label': 'Close all', 'data-modal': 'dismiss' }, '✕');
  x.addEventListener('click', () => void handlers.close(view, true));
  const back = stack.length > 1 ? h('button', { type: 'button', class: 'modal-back', 'aria-label': 'Back', 'data-modal': 'back' }, '←') : null;
  back?.addEventListener('click', () => void handlers.close(view, false));
  return h(
    'div',
    { class: 'overlay' },
    h(
      'div',
      { class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-label': title, 'data-view-id': view.id, 'data-depth': stack.length },
      h('header', { class: 'modal-head' }, back, h('h1', { class: 'modal-title' }, title), x),
      h('div', { class: 'modal-body' }, handlers.body(view)),
      h('footer', { class: 'modal-foot' }, footerError, close, submit),
    ),
  );
}

/** A Block Kit confirm object as Slack shows it: resolves true when the user confirms. */
export function confirmDialog(dialog: Obj, ctx: TextContext): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (yes: boolean) => {
      overlay.remove();
      resolve(yes);
    };
    const yes = h(
      'button',
      { type: 'button', class: `bk-button ${dialog['style'] === 'danger' ? 'danger' : 'primary'}`, 'data-confirm': 'yes' },
      label(dialog['confirm'], 'Yes'),
    );
    const no = h('button', { type: 'button', class: 'bk-button', 'data-confirm': 'no' }, label(dialog['deny'], 'Cancel'));
    yes.addEventListener('click', () => done(true));
    no.addEventListener('click', () => done(false));
    const overlay = h(
      'div',
      { class: 'overlay confirm-overlay' },
      h(
        'div',
        { class: 'modal confirm', role: 'alertdialog', 'aria-label': label(dialog['title'], 'Are you sure?') },
        h('header', { class: 'modal-head' }, h('h1', { class: 'modal-title' }, label(dialog['title'], 'Are you sure?'))),
        h('div', { class: 'modal-body' }, h('div', {}, textObject(dialog['text'], ctx))),
        h('footer', { class: 'modal-foot' }, no, yes),
      ),
    );
    overlay.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Escape') done(false);
    });
    document.body.append(overlay);
    yes.focus();
  });
}
