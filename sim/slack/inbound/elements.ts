import type { JsonObject } from '../types.ts';
import { nowTs } from './common.ts';

export interface FoundElement {
  blockId: string;
  element: JsonObject;
}

/** What the user picked or typed: a value for inputs, an option value (or several), a date, a user… */
export type Choice = string | string[] | undefined;

/** The interactive element with this action_id in a surface's blocks (accessories, actions, inputs). */
export function findElement(blocks: JsonObject[], actionId: string, buttonValue?: string): FoundElement | undefined {
  // Rows of cards often repeat one action_id (in separate blocks): a button value picks the row.
  if (buttonValue !== undefined) {
    const exact = findAll(blocks, actionId).find((f) => f.element['type'] === 'button' && f.element['value'] === buttonValue);
    if (exact) return exact;
  }
  return findAll(blocks, actionId)[0];
}

function findAll(blocks: JsonObject[], actionId: string): FoundElement[] {
  const found: FoundElement[] = [];
  for (const block of blocks) {
    const blockId = String(block['block_id'] ?? '');
    const candidates: unknown[] = [block['accessory'], block['element'], ...(Array.isArray(block['elements']) ? block['elements'] : [])];
    for (const el of candidates) {
      if (isObj(el) && el['action_id'] === actionId) found.push({ blockId, element: el });
    }
  }
  return found;
}

/** The entry of `actions[]` in a block_actions payload for a click or pick on `element`. */
export function actionPayload(found: FoundElement, choice: Choice): JsonObject {
  const { element, blockId } = found;
  const base: JsonObject = {
    action_id: String(element['action_id']),
    block_id: blockId,
    type: String(element['type']),
    action_ts: nowTs(),
  };
  if (element['type'] === 'button') {
    base['text'] = element['text'] ?? null;
    if (element['value'] !== undefined) base['value'] = typeof choice === 'string' ? choice : element['value'];
    if (element['style'] !== undefined) base['style'] = element['style'];
    return base;
  }
  return { ...base, ...selection(element, choice) };
}

/**
 * view.state.values for a submission, from { action_id: choice }: each input is located in the view's
 * blocks and given the shape its element type has in Slack's payloads.
 */
export function stateValues(blocks: JsonObject[], choices: Record<string, Choice>): JsonObject {
  const values: Record<string, JsonObject> = {};
  for (const [actionId, choice] of Object.entries(choices)) {
    const found = findElement(blocks, actionId);
    if (!found) throw new Error(`fake Slack: no element with action_id ${actionId} in the view`);
    const entry: JsonObject = { type: String(found.element['type']), ...selection(found.element, choice) };
    values[found.blockId] = { ...values[found.blockId], [actionId]: entry };
  }
  return values;
}

/**
 * What Slack reports for inputs the user never touched: their initial_* values (an untouched select
 * with an initial_option is submitted as selected).
 */
export function initialStateValues(blocks: JsonObject[]): Record<string, JsonObject> {
  const values: Record<string, JsonObject> = {};
  for (const block of blocks) {
    if (block['type'] !== 'input' || !isObj(block['element'])) continue;
    const el = block['element'];
    const actionId = String(el['action_id'] ?? '');
    const blockId = String(block['block_id'] ?? '');
    const initial: Choice = isObj(el['initial_option'])
      ? String(el['initial_option']['value'])
      : Array.isArray(el['initial_options'])
        ? (el['initial_options'] as JsonObject[]).map((o) => String(o['value']))
        : ((el['initial_value'] ??
            el['initial_date'] ??
            el['initial_time'] ??
            el['initial_user'] ??
            el['initial_channel'] ??
            el['initial_conversation'] ??
            undefined) as Choice);
    if (initial === undefined) continue;
    values[blockId] = { ...values[blockId], [actionId]: { type: String(el['type']), ...selection(el, initial) } };
  }
  return values;
}

/** The selected_* / value fields Slack uses for each element type. */
function selection(element: JsonObject, choice: Choice): JsonObject {
  const many = choice === undefined ? [] : Array.isArray(choice) ? choice : [choice];
  const one = many[0] ?? null;
  switch (element['type']) {
    case 'static_select':
    case 'external_select':
    case 'overflow':
    case 'radio_buttons':
      return { selected_option: one === null ? null : option(element, one) };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { selected_options: many.map((v) => option(element, v)) };
    case 'users_select':
      return { selected_user: one };
    case 'multi_users_select':
      return { selected_users: many };
    case 'conversations_select':
      return { selected_conversation: one };
    case 'multi_conversations_select':
      return { selected_conversations: many };
    case 'channels_select':
      return { selected_channel: one };
    case 'multi_channels_select':
      return { selected_channels: many };
    case 'datepicker':
      return { selected_date: one };
    case 'timepicker':
      return { selected_time: one };
    case 'datetimepicker':
      return { selected_date_time: one === null ? null : Number(one) };
    default:
      return { value: one };
  }
}

/** The option object with this value (static options, groups, or an external option echoed back). */
function option(element: JsonObject, value: string): JsonObject {
  const groups = Array.isArray(element['option_groups']) ? (element['option_groups'] as JsonObject[]) : [];
  const all = [
    ...(Array.isArray(element['options']) ? (element['options'] as JsonObject[]) : []),
    ...groups.flatMap((g) => (Array.isArray(g['options']) ? (g['options'] as JsonObject[]) : [])),
  ];
  const found = all.find((o) => o['value'] === value);
  if (found) return found;
  if (all.length > 0) throw new Error(`fake Slack: no option with value ${value} in ${String(element['action_id'])}`);
  return { text: { type: 'plain_text', text: value, emoji: true }, value };
}

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
