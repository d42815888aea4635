// Event handlers start requests with `void` and return: post() turns a failure into an answer shown on the page.
import { h } from './dom.ts';
import type { Place } from './elements.ts';
import { withEmoji } from './emoji.ts';
import { isObj, list, str, type BlockContext, type Obj, type SlackOption } from './surface.ts';

type Pick = { choice?: string | string[]; option?: SlackOption; options?: SlackOption[] };

/**
 * external_select: a search box that asks the app for options (block_suggestion) as the user types,
 * once the query reaches min_query_length (Slack's default is 3).
 */
export function externalSelect(el: Obj, place: Place, ctx: BlockContext, onPick: (p: Pick) => Promise<void>, seed: (p: Pick) => void): HTMLElement {
  const actionId = str(el['action_id']);
  const multi = el['type'] === 'multi_external_select';
  const minQuery = typeof el['min_query_length'] === 'number' ? el['min_query_length'] : 3;
  const initial = multi
    ? (list(el['initial_options']).filter(isObj) as unknown as SlackOption[])
    : isObj(el['initial_option'])
      ? [el['initial_option'] as unknown as SlackOption]
      : [];
  if (initial.length) seed(multi ? { choice: initial.map((o) => o.value), options: initial } : { choice: initial[0]!.value, option: initial[0] });
  const state = ctx.values.get(place.blockId, actionId);
  let picked: SlackOption[] = multi ? (state?.options ?? []) : state?.option ? [state.option] : [];

  const placeholder = withEmoji(str(isObj(el['placeholder']) ? el['placeholder']['text'] : '')) || 'Search…';
  const input = h('input', {
    type: 'text',
    class: 'bk-input',
    role: 'combobox',
    'aria-autocomplete': 'list',
    placeholder,
    'aria-label': placeholder,
    'data-action-id': actionId,
  });
  const menu = h('div', { class: 'menu options', role: 'listbox', hidden: true });
  const chips = h('div', { class: 'chips' });
  const wrap = h('div', { class: 'ext-select', 'data-action-id': actionId }, multi ? chips : null, input, menu);

  const showPicked = () => {
    if (multi) {
      chips.replaceChildren(...picked.map((o) => h('span', { class: 'chip' }, withEmoji(o.text.text))));
      input.value = '';
    } else input.value = picked[0] ? withEmoji(picked[0].text.text) : '';
  };
  showPicked();

  const choose = (o: SlackOption) => {
    picked = multi ? [...picked.filter((p) => p.value !== o.value), o] : [o];
    menu.hidden = true;
    showPicked();
    input.blur();
    void onPick(multi ? { choice: picked.map((p) => p.value), options: picked } : { choice: o.value, option: o });
  };

  const item = (o: SlackOption) => {
    const b = h('button', { type: 'button', role: 'option', class: 'menu-item' }, withEmoji(o.text.text));
    b.addEventListener('mousedown', (e) => e.preventDefault()); // keep focus in the box until the click lands
    b.addEventListener('click', () => choose(o));
    return b;
  };

  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const query = () => {
    const q = input.value;
    if (q.length < minQuery) {
      menu.hidden = true;
      return;
    }
    const mine = ++seq;
    void ctx.suggest(actionId, q).then((answer) => {
      if (mine !== seq) return; // a newer query is on its way
      const groups = answer.option_groups.map((g) => [h('div', { class: 'menu-label' }, withEmoji(str(g.label?.text))), ...g.options.map(item)]);
      const items = [...answer.options.map(item), ...groups.flat()];
      menu.replaceChildren(...(items.length ? items : [h('div', { class: 'menu-empty' }, 'No results')]));
      menu.hidden = false;
    });
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(query, 150);
  });
  input.addEventListener('focus', () => {
    if (!multi && picked[0]) input.select();
    if (minQuery === 0) query();
  });
  input.addEventListener('blur', () => {
    menu.hidden = true;
    showPicked();
  });
  input.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Escape') input.blur();
  });
  return wrap;
}
