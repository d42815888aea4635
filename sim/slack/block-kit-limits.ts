/**
 * Block Kit validation where Slack enforces it, with the limits from Slack's Block Kit reference.
 * Pure functions: the fake Slack refuses what Slack would refuse, and the app's views are unit-tested
 * against the same rules (assertValidMessage / assertValidView).
 */
import { Checker, ELEMENT_LIMITS, checkElement, checkImageElement, charCount, isObj, type BlockKitError } from './block-kit-elements.ts';

export { ELEMENT_LIMITS, type BlockKitError } from './block-kit-elements.ts';

export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  messageText: 40_000,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
  blockId: 255,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  inputLabel: 2000,
  inputHint: 2000,
  imageTitle: 2000,
  markdownText: 12_000,
  ...ELEMENT_LIMITS,
} as const;

export type Surface = 'message' | 'modal' | 'home';

/** What Slack answers for an invalid request: the error code and its `[json-pointer:…]` messages. */
export interface SlackValidation {
  error: 'invalid_blocks' | 'invalid_blocks_format' | 'msg_too_long' | 'no_text' | 'invalid_arguments';
  errors: string[];
}

const KNOWN_BLOCKS = new Set([
  'actions',
  'context',
  'context_actions',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'table',
  'video',
  'call',
]);

/** Problems in a list of blocks. `base` is the pointer of the array: /blocks for messages, /view/blocks for views. */
export function validateBlocks(blocks: unknown, surface: Surface, base = '/blocks'): BlockKitError[] {
  const c = new Checker();
  checkBlockList(c, blocks, surface, base);
  return c.errors;
}

/** Problems in a modal or Home tab view object (pointers start at /view). */
export function validateView(view: unknown): BlockKitError[] {
  const c = new Checker();
  if (!isObj(view)) {
    c.add('must be an object', '/view');
    return c.errors;
  }
  const type = view['type'];
  if (type !== 'modal' && type !== 'home') {
    c.add('must be one of modal, home', '/view/type');
    return c.errors;
  }
  if (type === 'modal') {
    c.text(view['title'], '/view/title', LIMITS.modalTitle, { plainOnly: true, required: true });
    c.text(view['submit'], '/view/submit', LIMITS.modalButton, { plainOnly: true });
    c.text(view['close'], '/view/close', LIMITS.modalButton, { plainOnly: true });
    const blocks = Array.isArray(view['blocks']) ? view['blocks'] : [];
    if (view['submit'] === undefined && blocks.some((b) => isObj(b) && b['type'] === 'input')) {
      c.add('missing required field: submit (required when the view has input blocks)', '/view');
    }
  }
  c.str(view['private_metadata'], '/view/private_metadata', LIMITS.privateMetadata);
  c.str(view['callback_id'], '/view/callback_id', LIMITS.callbackId);
  c.str(view['external_id'], '/view/external_id', LIMITS.externalId);
  checkBlockList(c, view['blocks'], type, '/view/blocks', true);
  return c.errors;
}

/** chat.postMessage / chat.update / chat.postEphemeral / response_url content, judged as Slack does. */
export function checkMessage(input: { text?: unknown; blocks?: unknown; attachments?: unknown }): SlackValidation | null {
  const text = typeof input.text === 'string' ? input.text : '';
  const hasBlocks = Array.isArray(input.blocks) && input.blocks.length > 0;
  const hasAttachments = Array.isArray(input.attachments) && input.attachments.length > 0;
  if (input.blocks !== undefined && !Array.isArray(input.blocks)) return { error: 'invalid_blocks_format', errors: [] };
  if (text === '' && !hasBlocks && !hasAttachments) return { error: 'no_text', errors: [] };
  if (charCount(text) > LIMITS.messageText) return { error: 'msg_too_long', errors: [] };
  if (input.blocks === undefined) return null;
  const problems = validateBlocks(input.blocks, 'message');
  return problems.length > 0 ? { error: 'invalid_blocks', errors: problems.map(formatBlockKitError) } : null;
}

/** views.open / update / push / publish: Slack answers invalid_arguments for a bad view. */
export function checkView(view: unknown): SlackValidation | null {
  const problems = validateView(view);
  return problems.length > 0 ? { error: 'invalid_arguments', errors: problems.map(formatBlockKitError) } : null;
}

export function formatBlockKitError(e: BlockKitError): string {
  return `${e.message} [json-pointer:${e.pointer}]`;
}

/** For unit tests of the app's views: throws with every problem Slack would report. */
export function assertValidMessage(input: { text?: unknown; blocks?: unknown; attachments?: unknown }): void {
  const result = checkMessage(input);
  if (result) throw new Error(`Slack would refuse this message: ${result.error}\n${result.errors.join('\n')}`);
}

export function assertValidView(view: unknown): void {
  const result = checkView(view);
  if (result) throw new Error(`Slack would refuse this view: ${result.error}\n${result.errors.join('\n')}`);
}

function checkBlockList(c: Checker, blocks: unknown, surface: Surface, base: string, required = false): void {
  const max = surface === 'message' ? LIMITS.messageBlocks : LIMITS.viewBlocks;
  const list = c.arr(blocks, base, max, 0, required);
  const blockIds = new Set<string>();
  for (const [i, block] of list.entries()) {
    const p = `${base}/${i}`;
    if (!isObj(block)) {
      c.add('must be an object', p);
      continue;
    }
    const blockId = block['block_id'];
    c.str(blockId, `${p}/block_id`, LIMITS.blockId);
    if (typeof blockId === 'string') {
      if (blockIds.has(blockId)) c.add(`duplicate block_id: ${blockId}`, `${p}/block_id`);
      blockIds.add(blockId);
    }
    c.blockActionIds = new Set();
    checkBlock(c, block, p, surface);
  }
}

function checkBlock(c: Checker, b: Record<string, unknown>, p: string, surface: Surface): void {
  const type = b['type'];
  switch (type) {
    case 'section': {
      if (b['text'] === undefined && b['fields'] === undefined) c.add('must provide either text or fields', p);
      c.text(b['text'], `${p}/text`, LIMITS.sectionText);
      for (const [i, f] of c.arr(b['fields'], `${p}/fields`, LIMITS.sectionFields).entries()) {
        c.text(f, `${p}/fields/${i}`, LIMITS.sectionFieldText, { required: true });
      }
      if (b['accessory'] !== undefined) checkElement(c, b['accessory'], `${p}/accessory`);
      return;
    }
    case 'header':
      return c.text(b['text'], `${p}/text`, LIMITS.headerText, { plainOnly: true, required: true });
    case 'actions':
      for (const [i, el] of c.arr(b['elements'], `${p}/elements`, LIMITS.actionsElements, 1, true).entries()) {
        checkElement(c, el, `${p}/elements/${i}`);
      }
      return;
    case 'context':
      for (const [i, el] of c.arr(b['elements'], `${p}/elements`, LIMITS.contextElements, 1, true).entries()) {
        const ep = `${p}/elements/${i}`;
        if (isObj(el) && el['type'] === 'image') checkImageElement(c, el, ep);
        else c.text(el, ep, LIMITS.contextText, { required: true });
      }
      return;
    case 'input':
      c.text(b['label'], `${p}/label`, LIMITS.inputLabel, { plainOnly: true, required: true });
      c.text(b['hint'], `${p}/hint`, LIMITS.inputHint, { plainOnly: true });
      if (b['element'] === undefined) c.add('missing required field: element', p);
      else checkElement(c, b['element'], `${p}/element`);
      return;
    case 'image':
      checkImageElement(c, b, p);
      c.text(b['title'], `${p}/title`, LIMITS.imageTitle, { plainOnly: true });
      return;
    case 'markdown':
      return c.str(b['text'], `${p}/text`, LIMITS.markdownText, true);
    case 'file':
      if (surface !== 'message') c.add('file blocks are only allowed in messages', `${p}/type`);
      return;
    default:
      if (typeof type !== 'string') c.add('missing required field: type', p);
      else if (!KNOWN_BLOCKS.has(type)) c.add(`unknown block type: ${type}`, `${p}/type`);
  }
}
