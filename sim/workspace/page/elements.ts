// Event handlers start requests with `void` and return: post() turns a failure into an answer shown on the page.
import { h } from './dom.ts';
import { withEmoji } from './emoji.ts';
import { isObj, list, str, type BlockContext, type Obj, type SlackOption } from './surface.ts';
import { textObject } from './text.ts';
import { externalSelect } from './external-select.ts';
import { fromWallClock, wallClock } from './slack-date.ts';

/** Interactive Block Kit elements. `dispatch`: a change sends block_actions at once (actions, accessories, dispatch_action inputs). */

export interface Place {
  blockId: string;
  dispatch: boolean;
}

const plain = (t: unknown) => withEmoji(str(isObj(t) ? t['text'] : ''));

export function allOptions(el: Obj): SlackOption[] {
  return [...list(el['options']), ...list(el['option_groups']).flatMap((g) => (isObj(g) ? list(g['options']) : []))].filter(isObj) as unknown as SlackOption[];
}

/** Record the value, then (when this element dispatches) ask for confirmation if it wants one, and act. */
async function changed(
  el: Obj,
  place: Place,
  ctx: BlockContext,
  value: { choice?: string | string[]; option?: SlackOption; options?: SlackOption[] },
): Promise<void> {
  const actionId = str(el['action_id']);
  ctx.values.set({ blockId: place.blockId, actionId, ...value });
  if (!place.dispatch) return;
  if (isObj(el['confirm']) && !(await ctx.confirm(el['confirm']))) return;
  await ctx.act({ blockId: place.blockId, actionId, ...value });
}

/** Seed the value store with the element's initial value, so an untouched input is still submitted. */
function seed(el: Obj, place: Place, ctx: BlockContext, initial: { choice?: string | string[]; option?: SlackOption; options?: SlackOption[] }): void {
  const actionId = str(el['action_id']);
  if (actionId && !ctx.values.get(place.blockId, actionId)) ctx.values.set({ blockId: place.blockId, actionId, ...initial });
}

function current(el: Obj, place: Place, ctx: BlockContext) {
  return ctx.values.get(place.blockId, str(el['action_id']));
}

export function element(el: unknown, place: Place, ctx: BlockContext): HTMLElement {
  if (!isObj(el)) return unsupportedElement('(missing)');
  const type = str(el['type']);
  switch (type) {
    case 'button':
      return button(el, place, ctx);
    case 'static_select':
    case 'multi_static_select':
    case 'users_select':
    case 'multi_users_select':
    case 'conversations_select':
    case 'multi_conversations_select':
    case 'channels_select':
    case 'multi_channels_select':
      return select(el, place, ctx);
    case 'external_select':
    case 'multi_external_select':
      return externalSelect(
        el,
        place,
        ctx,
        (value) => changed(el, place, ctx, value),
        (initial) => seed(el, place, ctx, initial),
      );
    case 'overflow':
      return overflow(el, place, ctx);
    case 'plain_text_input':
    case 'number_input':
    case 'email_text_input':
    case 'url_text_input':
      return textInput(el, place, ctx);
    case 'checkboxes':
    case 'radio_buttons':
      return choices(el, place, ctx);
    case 'datepicker':
    case 'timepicker':
      return picker(el, place, ctx);
    case 'datetimepicker':
      return dateTimePicker(el, place, ctx);
    case 'image':
      return h('img', { class: 'bk-image-el', src: str(el['image_url']) || null, alt: str(el['alt_text']), title: str(el['alt_text']) });
    default:
      return unsupportedElement(type);
  }
}

export function unsupportedElement(type: string): HTMLElement {
  return h('div', { class: 'unsupported', 'data-unsupported': type }, `unsupported element: ${type || '(no type)'}`);
}

function button(el: Obj, place: Place, ctx: BlockContext): HTMLElement {
  const style = str(el['style']);
  const b = h('button', { type: 'button', class: `bk-button${style ? ` ${style}` : ''}`, 'data-action-id': str(el['action_id']) }, plain(el['text']));
  b.addEventListener('click', () => {
    void (async () => {
      if (isObj(el['confirm']) && !(await ctx.confirm(el['confirm']))) return;
      const url = str(el['url']);
      if (/^https?:/i.test(url)) window.open(url, '_blank', 'noopener,noreferrer');
      b.classList.add('busy');
      try {
        await ctx.act({ blockId: place.blockId, actionId: str(el['action_id']), ...(el['value'] !== undefined ? { choice: str(el['value']) } : {}) });
      } finally {
        b.classList.remove('busy');
      }
    })();
  });
  return b;
}

/** Native selects: static options, or the workspace's users / channels. */
function select(el: Obj, place: Place, ctx: BlockContext): HTMLElement {
  const type = str(el['type']);
  const multi = type.startsWith('multi_');
  const options: Array<{ value: string; text: string; group?: string }> = type.includes('users')
    ? ctx.users.map((u) => ({ value: u.id, text: u.realName }))
    : type.includes('conversations') || type.includes('channels')
      ? ctx.channels.map((c) => ({ value: c.id, text: `#${c.name}` }))
      : [
          ...list(el['options'])
            .filter(isObj)
            .map((o) => ({ value: str(o['value']), text: plain(o['text']) })),
          ...list(el['option_groups'])
            .filter(isObj)
            .flatMap((g) =>
              list(g['options'])
                .filter(isObj)
                .map((o) => ({ value: str(o['value']), text: plain(o['text']), group: plain(g['label']) })),
            ),
        ];
  const initial: string[] = multi
    ? [
        ...list(el['initial_options'])
          .filter(isObj)
          .map((o) => str(o['value'])),
        ...list(el['initial_users']),
        ...list(el['initial_conversations']),
        ...list(el['initial_channels']),
      ].map(String)
    : [
        str(isObj(el['initial_option']) ? el['initial_option']['value'] : '') ||
          str(el['initial_user']) ||
          str(el['initial_conversation']) ||
          str(el['initial_channel']),
      ].filter(Boolean);
  seed(el, place, ctx, initial.length ? { choice: multi ? initial : initial[0] } : {});
  const chosen = current(el, place, ctx)?.choice;
  const selected = new Set(Array.isArray(chosen) ? chosen : chosen ? [chosen] : []);
  const s = h('select', { class: 'bk-select', 'data-action-id': str(el['action_id']), multiple: multi, 'aria-label': plain(el['placeholder']) || 'Select' });
  if (!multi) s.append(h('option', { value: '', disabled: true, selected: selected.size === 0 }, plain(el['placeholder']) || 'Select an item'));
  const groups = new Map<string, HTMLOptGroupElement>();
  for (const o of options) {
    const opt = h('option', { value: o.value, selected: selected.has(o.value) }, o.text);
    if (!o.group) s.append(opt);
    else {
      if (!groups.has(o.group)) s.append(groups.set(o.group, h('optgroup', { label: o.group })).get(o.group)!);
      groups.get(o.group)!.append(opt);
    }
  }
  s.addEventListener('change', () => {
    const values = [...s.selectedOptions].map((o) => o.value);
    void changed(el, place, ctx, { choice: multi ? values : values[0] });
  });
  return s;
}

function overflow(el: Obj, place: Place, ctx: BlockContext): HTMLElement {
  const menu = h('div', { class: 'menu', role: 'menu', hidden: true });
  const toggle = h('button', { type: 'button', class: 'bk-button overflow', 'aria-label': 'More actions', 'data-action-id': str(el['action_id']) }, '⋯');
  for (const o of allOptions(el)) {
    const item = h('button', { type: 'button', role: 'menuitem', class: 'menu-item' }, withEmoji(o.text.text));
    item.addEventListener('click', () => {
      menu.hidden = true;
      const url = str((o as unknown as Obj)['url']);
      if (/^https?:/i.test(url)) window.open(url, '_blank', 'noopener,noreferrer');
      void changed(el, place, ctx, { choice: o.value });
    });
    menu.append(item);
  }
  toggle.addEventListener('click', () => {
    menu.hidden = !menu.hidden;
    // A click anywhere else closes it, as Slack's menus do.
    if (!menu.hidden) setTimeout(() => document.addEventListener('click', () => (menu.hidden = true), { once: true }));
  });
  return h('span', { class: 'overflow-wrap' }, toggle, menu);
}

function textInput(el: Obj, place: Place, ctx: BlockContext): HTMLElement {
  const type = str(el['type']);
  const multiline = el['multiline'] === true;
  const initial = el['initial_value'] === undefined ? undefined : String(el['initial_value']);
  seed(el, place, ctx, initial === undefined ? {} : { choice: initial });
  const value = current(el, place, ctx)?.choice;
  const attrs = {
    class: 'bk-input',
    'data-action-id': str(el['action_id']),
    placeholder: plain(el['placeholder']),
    maxlength: typeof el['max_length'] === 'number' ? el['max_length'] : null,
    'aria-label': plain(el['placeholder']) || str(el['action_id']),
  };
  const input = multiline
    ? h('textarea', { ...attrs, rows: 4 })
    : h('input', { ...attrs, type: type === 'number_input' ? 'number' : type === 'email_text_input' ? 'email' : type === 'url_text_input' ? 'url' : 'text' });
  input.value = typeof value === 'string' ? value : '';
  const triggers = isObj(el['dispatch_action_config']) ? list(el['dispatch_action_config']['trigger_actions_on']).map(String) : ['on_enter_pressed'];
  const record = (dispatch: boolean) => changed(el, { ...place, dispatch }, ctx, { choice: input.value });
  let timer: ReturnType<typeof setTimeout> | undefined;
  input.addEventListener('input', () => {
    void record(false);
    if (place.dispatch && triggers.includes('on_character_entered')) {
      clearTimeout(timer);
      timer = setTimeout(() => void record(true), 400);
    }
  });
  input.addEventListener('keydown', (e) => {
    const enter = (e as KeyboardEvent).key === 'Enter' && !(multiline && (e as KeyboardEvent).shiftKey);
    if (!enter || !place.dispatch || !triggers.includes('on_enter_pressed')) return;
    e.preventDefault();
    void record(true);
  });
  return input;
}

function choices(el: Obj, place: Place, ctx: BlockContext): HTMLElement {
  const radio = el['type'] === 'radio_buttons';
  const initial = radio
    ? str(isObj(el['initial_option']) ? el['initial_option']['value'] : '')
    : list(el['initial_options'])
        .filter(isObj)
        .map((o) => str(o['value']));
  seed(el, place, ctx, (radio ? initial : initial.length) ? { choice: initial } : {});
  const chosen = current(el, place, ctx)?.choice;
  const selected = new Set(Array.isArray(chosen) ? chosen : chosen ? [chosen] : []);
  const name = `${place.blockId}.${str(el['action_id'])}`;
  const box = h('div', { class: 'bk-choices', role: radio ? 'radiogroup' : 'group', 'data-action-id': str(el['action_id']) });
  for (const o of list(el['options']).filter(isObj)) {
    const input = h('input', { type: radio ? 'radio' : 'checkbox', name, value: str(o['value']), checked: selected.has(str(o['value'])) });
    input.addEventListener('change', () => {
      const picked = [...box.querySelectorAll('input')].filter((i) => i.checked).map((i) => i.value);
      void changed(el, place, ctx, { choice: radio ? picked[0] : picked });
    });
    box.append(
      h(
        'label',
        { class: 'choice' },
        input,
        h(
          'span',
          {},
          h('span', {}, textObject(o['text'], ctx)),
          isObj(o['description']) ? h('span', { class: 'hint' }, textObject(o['description'], ctx)) : null,
        ),
      ),
    );
  }
  return box;
}

function picker(el: Obj, place: Place, ctx: BlockContext): HTMLElement {
  const date = el['type'] === 'datepicker';
  const initial = str(date ? el['initial_date'] : el['initial_time']);
  seed(el, place, ctx, initial ? { choice: initial } : {});
  const input = h('input', { type: date ? 'date' : 'time', class: 'bk-input picker', 'data-action-id': str(el['action_id']) });
  input.value = String(current(el, place, ctx)?.choice ?? '');
  input.addEventListener('change', () => void changed(el, place, ctx, { choice: input.value }));
  return input;
}

/** A datetimepicker: its value (initial_date_time, then what is picked) is Unix seconds, as Slack's view state carries it. */
function dateTimePicker(el: Obj, place: Place, ctx: BlockContext): HTMLElement {
  const initial = Number(el['initial_date_time']);
  seed(el, place, ctx, Number.isFinite(initial) && initial > 0 ? { choice: String(initial) } : {});
  const input = h('input', { type: 'datetime-local', class: 'bk-input picker', 'data-action-id': str(el['action_id']) });
  const seconds = Number(current(el, place, ctx)?.choice);
  // Shown and read in the acting user's zone, as Slack does.
  input.value = Number.isFinite(seconds) && seconds > 0 ? wallClock(seconds, ctx.tz) : '';
  input.addEventListener('change', () => {
    const picked = input.value ? fromWallClock(input.value, ctx.tz) : NaN;
    if (Number.isFinite(picked)) void changed(el, place, ctx, { choice: String(picked) });
  });
  return input;
}
