/**
 * Block Kit element and composition-object checks (buttons, selects, text, options, confirm dialogs),
 * with the limits Slack documents. Used by block-kit-limits.ts; pure, no I/O.
 */

export const ELEMENT_LIMITS = {
  actionId: 255,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  accessibilityLabel: 75,
  placeholder: 150,
  selectOptions: 100,
  optionGroups: 100,
  optionGroupLabel: 75,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  overflowOptions: 5,
  checkboxOptions: 10,
  radioOptions: 10,
  textInputLength: 3000,
  imageUrl: 3000,
  altText: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

export interface BlockKitError {
  message: string;
  /** JSON pointer into the request, e.g. /blocks/3/elements/0/text/text or /view/title/text. */
  pointer: string;
}

type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Slack counts characters, not UTF-16 units. */
export function charCount(s: string): number {
  return [...s].length;
}

/** Collects problems with Slack's wording: "must be less than 76 characters [json-pointer:/…]". */
export class Checker {
  readonly errors: BlockKitError[] = [];
  /** action_ids seen in the current block; Slack wants them unique within their block. */
  blockActionIds = new Set<string>();

  add(message: string, pointer: string): void {
    this.errors.push({ message, pointer });
  }

  /** A string field: required or optional, at most `max` characters. */
  str(value: unknown, pointer: string, max: number, required = false): void {
    if (value === undefined || value === null) {
      if (required) this.add(`missing required field: ${lastSegment(pointer)}`, parentOf(pointer));
      return;
    }
    if (typeof value !== 'string') return this.add('must be a string', pointer);
    if (required && value.length === 0) return this.add('must be more than 0 characters', pointer);
    if (charCount(value) > max) this.add(`must be less than ${max + 1} characters`, pointer);
  }

  /** An array field with at most `max` (and at least `min`) items. Returns the items to check further. */
  arr(value: unknown, pointer: string, max: number, min = 0, required = false): unknown[] {
    if (value === undefined || value === null) {
      if (required) this.add(`missing required field: ${lastSegment(pointer)}`, parentOf(pointer));
      return [];
    }
    if (!Array.isArray(value)) {
      this.add('must be an array', pointer);
      return [];
    }
    if (value.length > max) this.add(`no more than ${max} items allowed`, pointer);
    if (value.length < min) this.add(`must provide at least ${min} items`, pointer);
    return value;
  }

  /** A text object; `plainOnly` for the many fields Slack restricts to plain_text. */
  text(value: unknown, pointer: string, max: number, opts: { plainOnly?: boolean; required?: boolean } = {}): void {
    if (value === undefined || value === null) {
      if (opts.required) this.add(`missing required field: ${lastSegment(pointer)}`, parentOf(pointer));
      return;
    }
    if (!isObj(value)) return this.add('must be a text object', pointer);
    const type = value['type'];
    if (opts.plainOnly && type !== 'plain_text') return this.add('must be a plain_text text object', `${pointer}/type`);
    if (type !== 'plain_text' && type !== 'mrkdwn') return this.add('must be one of plain_text, mrkdwn', `${pointer}/type`);
    this.str(value['text'], `${pointer}/text`, max, true);
  }

  actionId(value: unknown, pointer: string): void {
    this.str(value, pointer, ELEMENT_LIMITS.actionId);
    if (typeof value !== 'string') return;
    if (this.blockActionIds.has(value)) this.add(`duplicate action_id: ${value}`, pointer);
    this.blockActionIds.add(value);
  }
}

/** Elements an actions block, section accessory or input block may hold. */
export function checkElement(c: Checker, el: unknown, p: string): void {
  if (!isObj(el)) return c.add('must be an object', p);
  const type = el['type'];
  if (typeof type !== 'string') return c.add('missing required field: type', p);
  if ('action_id' in el) c.actionId(el['action_id'], `${p}/action_id`);
  if ('confirm' in el) checkConfirm(c, el['confirm'], `${p}/confirm`);
  if ('placeholder' in el) c.text(el['placeholder'], `${p}/placeholder`, ELEMENT_LIMITS.placeholder, { plainOnly: true });
  switch (type) {
    case 'button':
      c.text(el['text'], `${p}/text`, ELEMENT_LIMITS.buttonText, { plainOnly: true, required: true });
      c.str(el['value'], `${p}/value`, ELEMENT_LIMITS.buttonValue);
      c.str(el['url'], `${p}/url`, ELEMENT_LIMITS.url);
      c.str(el['accessibility_label'], `${p}/accessibility_label`, ELEMENT_LIMITS.accessibilityLabel);
      if (el['style'] !== undefined && el['style'] !== 'primary' && el['style'] !== 'danger') {
        c.add('must be one of primary, danger', `${p}/style`);
      }
      return;
    case 'static_select':
    case 'multi_static_select':
      return checkStaticSelect(c, el, p);
    case 'overflow':
      for (const [i, o] of c.arr(el['options'], `${p}/options`, ELEMENT_LIMITS.overflowOptions, 1, true).entries()) {
        checkOption(c, o, `${p}/options/${i}`, true);
      }
      return;
    case 'checkboxes':
    case 'radio_buttons': {
      const max = type === 'checkboxes' ? ELEMENT_LIMITS.checkboxOptions : ELEMENT_LIMITS.radioOptions;
      for (const [i, o] of c.arr(el['options'], `${p}/options`, max, 1, true).entries()) {
        checkOption(c, o, `${p}/options/${i}`, false);
      }
      return;
    }
    case 'plain_text_input':
      for (const key of ['max_length', 'min_length']) {
        const n = el[key];
        if (typeof n === 'number' && (n < 0 || n > ELEMENT_LIMITS.textInputLength)) {
          c.add(`must be between 0 and ${ELEMENT_LIMITS.textInputLength}`, `${p}/${key}`);
        }
      }
      return;
    case 'image':
      return checkImageElement(c, el, p);
    default:
      if (!KNOWN_ELEMENTS.has(type)) c.add(`unknown element type: ${type}`, `${p}/type`);
  }
}

const KNOWN_ELEMENTS = new Set([
  'users_select',
  'multi_users_select',
  'conversations_select',
  'multi_conversations_select',
  'channels_select',
  'multi_channels_select',
  'external_select',
  'multi_external_select',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'email_text_input',
  'url_text_input',
  'number_input',
  'rich_text_input',
  'file_input',
  'workflow_button',
  'feedback_buttons',
  'icon_button',
]);

function checkStaticSelect(c: Checker, el: Obj, p: string): void {
  if (el['option_groups'] !== undefined) {
    for (const [g, group] of c.arr(el['option_groups'], `${p}/option_groups`, ELEMENT_LIMITS.optionGroups).entries()) {
      const gp = `${p}/option_groups/${g}`;
      if (!isObj(group)) {
        c.add('must be an object', gp);
        continue;
      }
      c.text(group['label'], `${gp}/label`, ELEMENT_LIMITS.optionGroupLabel, { plainOnly: true, required: true });
      for (const [i, o] of c.arr(group['options'], `${gp}/options`, ELEMENT_LIMITS.selectOptions, 1, true).entries()) {
        checkOption(c, o, `${gp}/options/${i}`, true);
      }
    }
    return;
  }
  for (const [i, o] of c.arr(el['options'], `${p}/options`, ELEMENT_LIMITS.selectOptions, 0, true).entries()) {
    checkOption(c, o, `${p}/options/${i}`, true);
  }
}

/** Option objects: selects and overflow menus take plain_text only; checkboxes and radios allow mrkdwn. */
function checkOption(c: Checker, o: unknown, p: string, plainOnly: boolean): void {
  if (!isObj(o)) return c.add('must be an object', p);
  c.text(o['text'], `${p}/text`, ELEMENT_LIMITS.optionText, { plainOnly, required: true });
  c.str(o['value'], `${p}/value`, ELEMENT_LIMITS.optionValue);
  c.text(o['description'], `${p}/description`, ELEMENT_LIMITS.optionDescription, { plainOnly });
  c.str(o['url'], `${p}/url`, ELEMENT_LIMITS.url);
}

function checkConfirm(c: Checker, confirm: unknown, p: string): void {
  if (!isObj(confirm)) return c.add('must be an object', p);
  c.text(confirm['title'], `${p}/title`, ELEMENT_LIMITS.confirmTitle, { plainOnly: true, required: true });
  c.text(confirm['text'], `${p}/text`, ELEMENT_LIMITS.confirmText, { required: true });
  c.text(confirm['confirm'], `${p}/confirm`, ELEMENT_LIMITS.confirmButton, { plainOnly: true, required: true });
  c.text(confirm['deny'], `${p}/deny`, ELEMENT_LIMITS.confirmButton, { plainOnly: true, required: true });
}

export function checkImageElement(c: Checker, el: Obj, p: string): void {
  if (el['image_url'] === undefined && el['slack_file'] === undefined) c.add('missing required field: image_url', p);
  c.str(el['image_url'], `${p}/image_url`, ELEMENT_LIMITS.imageUrl);
  c.str(el['alt_text'], `${p}/alt_text`, ELEMENT_LIMITS.altText, true);
}

function lastSegment(pointer: string): string {
  return pointer.slice(pointer.lastIndexOf('/') + 1);
}

function parentOf(pointer: string): string {
  const i = pointer.lastIndexOf('/');
  return i <= 0 ? '/' : pointer.slice(0, i);
}
