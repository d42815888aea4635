import { h } from './dom.ts';

/**
 * Mentions in the composer, as Slack's client handles them: typing `@` or `#` opens a list of people or
 * channels to pick from (arrow keys and Enter or Tab, or a click), and on send `@Alice Adams` / `@alice`
 * and `#demo-vm` become `<@U…|alice>` / `<#C…|demo-vm>` — what a command with should_escape receives.
 */

export interface MentionUser {
  id: string;
  name: string;
  realName: string;
}
export interface MentionChannel {
  id: string;
  name: string;
}
export interface Directory {
  users: MentionUser[];
  channels: MentionChannel[];
}

/** What may follow a name: the end, a space or punctuation (not a letter, digit, `-`, `_` or `.` + letter). */
const AFTER = /^(?:$|[\s,;:!?)\]}'"]|\.(?![\w-]))/;

/** Replace typed mentions with Slack's escaped forms; the longest name wins (`@Alice Adams` over `@Alice`). */
export function encodeMentions(text: string, dir: Directory): string {
  const people = dir.users.flatMap((u) => [u.realName, u.name].filter(Boolean).map((label) => ({ label, out: `<@${u.id}|${u.name}>` })));
  const rooms = dir.channels.map((c) => ({ label: c.name, out: `<#${c.id}|${c.name}>` }));
  const byLength = (a: { label: string }, b: { label: string }) => b.label.length - a.label.length;
  people.sort(byLength);
  rooms.sort(byLength);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const sigil = text[i]!;
    const startsWord = i === 0 || /[\s(]/.test(text[i - 1]!);
    const candidates = sigil === '@' ? people : sigil === '#' ? rooms : null;
    const rest = text.slice(i + 1);
    const hit =
      startsWord && candidates?.find((c) => rest.slice(0, c.label.length).toLowerCase() === c.label.toLowerCase() && AFTER.test(rest.slice(c.label.length)));
    if (hit) {
      out += hit.out;
      i += hit.label.length;
    } else {
      out += sigil;
    }
  }
  return out;
}

interface Suggestion {
  /** What is inserted after the sigil. */
  insert: string;
  label: string;
  hint: string;
}

/** The `@…` or `#…` being typed right before the caret, if any. */
function typedToken(input: HTMLTextAreaElement): { start: number; sigil: '@' | '#'; query: string } | null {
  const before = input.value.slice(0, input.selectionStart);
  const m = /(?:^|[\s(])([@#])([^\s@#<>]{0,30}(?: [^\s@#<>]{0,30})?)$/.exec(before);
  if (!m) return null;
  return { start: before.length - m[2]!.length - 1, sigil: m[1] as '@' | '#', query: m[2]!.toLowerCase() };
}

function suggestions(sigil: '@' | '#', query: string, dir: Directory): Suggestion[] {
  const matches = (s: string) =>
    s.toLowerCase().startsWith(query) ||
    s
      .toLowerCase()
      .split(/[\s-]/)
      .some((w) => w.startsWith(query));
  if (sigil === '@') {
    return dir.users.filter((u) => matches(u.name) || matches(u.realName)).map((u) => ({ insert: u.name, label: u.realName, hint: `@${u.name}` }));
  }
  return dir.channels.filter((c) => matches(c.name)).map((c) => ({ insert: c.name, label: `#${c.name}`, hint: '' }));
}

/** Autocomplete on a textarea. Its keydown listener must run before the one that sends on Enter. */
export function attachMentions(input: HTMLTextAreaElement, directory: () => Directory): void {
  const list = h('ul', { class: 'mention-list', role: 'listbox', 'aria-label': 'Suggestions', hidden: '' });
  // Above the box the textarea sits in, as Slack shows it.
  (input.parentElement ?? input).insertAdjacentElement('beforebegin', list);
  let items: Suggestion[] = [];
  let active = 0;

  const close = () => {
    items = [];
    list.hidden = true;
    input.removeAttribute('aria-activedescendant');
  };
  const draw = () => {
    list.replaceChildren(
      ...items.map((s, i) => {
        const li = h(
          'li',
          { id: `mention-${i}`, role: 'option', 'aria-selected': String(i === active), class: i === active ? 'active' : '' },
          h('span', { class: 'mention-label' }, s.label),
          s.hint ? h('span', { class: 'mention-hint' }, s.hint) : null,
        );
        // mousedown, not click: the textarea keeps its focus and caret.
        li.addEventListener('mousedown', (e) => {
          e.preventDefault();
          pick(i);
        });
        return li;
      }),
    );
    list.hidden = items.length === 0;
    if (items.length) input.setAttribute('aria-activedescendant', `mention-${active}`);
  };
  const pick = (i: number) => {
    const token = typedToken(input);
    const chosen = items[i];
    if (!token || !chosen) return close();
    const after = input.value.slice(input.selectionStart);
    const head = `${input.value.slice(0, token.start)}${token.sigil}${chosen.insert} `;
    input.value = head + after.replace(/^\s+/, '');
    input.setSelectionRange(head.length, head.length);
    close();
  };
  const update = () => {
    const token = typedToken(input);
    if (!token) return close();
    items = suggestions(token.sigil, token.query, directory()).slice(0, 8);
    active = 0;
    draw();
  };

  input.addEventListener('input', update);
  input.addEventListener('blur', close);
  input.addEventListener('keydown', (e) => {
    if (!items.length) return;
    const step = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
    if (step) {
      active = (active + step + items.length) % items.length;
      draw();
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      pick(active);
    } else if (e.key === 'Escape') {
      close();
    } else {
      return;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
  });
}
