import { h, type Child } from './dom.ts';
import { element, type Place } from './elements.ts';
import { withEmoji } from './emoji.ts';
import { isObj, list, str, type BlockContext, type Obj } from './surface.ts';
import { mrkdwn, richText, textObject } from './text.ts';

/**
 * Block Kit → DOM, the way Slack lays it out. A block type this page does not know is drawn as a
 * visible "unsupported block" box, never dropped.
 */

export function renderBlocks(blocks: unknown[], ctx: BlockContext): HTMLElement {
  return h(
    'div',
    { class: 'blocks' },
    blocks.map((b) => renderBlock(b, ctx)),
  );
}

export function renderBlock(block: unknown, ctx: BlockContext): HTMLElement {
  if (!isObj(block)) return unsupported('(not an object)');
  const type = str(block['type']);
  const blockId = str(block['block_id']);
  const body = blockBody(type, block, ctx);
  return h('div', { class: `block block-${type}`, 'data-block-type': type, 'data-block-id': blockId }, body);
}

function blockBody(type: string, b: Obj, ctx: BlockContext): Child {
  const place: Place = { blockId: str(b['block_id']), dispatch: true };
  switch (type) {
    case 'section':
      return section(b, place, ctx);
    case 'header':
      return h('h2', { class: 'bk-header' }, textObject(b['text'], ctx));
    case 'divider':
      return h('hr', { class: 'bk-divider' });
    case 'context':
      return h(
        'div',
        { class: 'bk-context' },
        list(b['elements']).map((e) =>
          isObj(e) && e['type'] === 'image'
            ? h('img', { class: 'context-image', src: str(e['image_url']) || null, alt: str(e['alt_text']), title: str(e['alt_text']) })
            : h('span', { class: 'context-text' }, textObject(e, ctx)),
        ),
      );
    case 'actions':
      return h(
        'div',
        { class: 'bk-actions' },
        list(b['elements']).map((e) => element(e, place, ctx)),
      );
    case 'input':
      return input(b, place, ctx);
    case 'image':
      return image(b, ctx);
    case 'rich_text':
      return richText(b, ctx);
    case 'markdown':
      // Standard markdown: its **bold** is mrkdwn's *bold*; the rest reads well as mrkdwn.
      return h('div', { class: 'bk-markdown' }, mrkdwn(str(b['text']).replace(/\*\*([^*\n]+)\*\*/g, '*$1*'), ctx));
    case 'table':
      return table(b, ctx);
    case 'file':
      return h('div', { class: 'bk-file' }, `📄 Remote file ${str(b['external_id'])}`);
    case 'video':
      return h(
        'div',
        { class: 'bk-video' },
        h('div', { class: 'bk-video-title' }, textObject(b['title'], ctx)),
        h('img', { src: str(b['thumbnail_url']) || null, alt: str(b['alt_text']) }),
      );
    default:
      return unsupported(type);
  }
}

export function unsupported(type: string): HTMLElement {
  return h('div', { class: 'unsupported', 'data-unsupported': type }, `unsupported block: ${type || '(no type)'}`);
}

function section(b: Obj, place: Place, ctx: BlockContext): HTMLElement {
  const fields = list(b['fields']);
  const main = h(
    'div',
    { class: 'section-main' },
    isObj(b['text']) ? h('div', { class: 'section-text' }, textObject(b['text'], ctx)) : null,
    fields.length
      ? h(
          'div',
          { class: 'section-fields' },
          fields.map((f) => h('div', { class: 'field' }, textObject(f, ctx))),
        )
      : null,
  );
  const accessory = isObj(b['accessory'])
    ? h(
        'div',
        { class: 'accessory' },
        b['accessory']['type'] === 'image'
          ? h('img', { class: 'accessory-image', src: str(b['accessory']['image_url']) || null, alt: str(b['accessory']['alt_text']) })
          : element(b['accessory'], place, ctx),
      )
    : null;
  return h('div', { class: 'bk-section' }, main, accessory);
}

function input(b: Obj, place: Place, ctx: BlockContext): HTMLElement {
  const error = ctx.errors[place.blockId];
  const control = element(b['element'], { ...place, dispatch: b['dispatch_action'] === true }, ctx);
  const label = h(
    'label',
    { class: 'input-label' },
    withEmoji(str(isObj(b['label']) ? b['label']['text'] : '')),
    b['optional'] === true ? h('span', { class: 'optional' }, ' (optional)') : null,
  );
  // The block's label names the control, as screen readers (and tests) look for it.
  const target = control.matches('input, select, textarea') ? control : control.classList.contains('ext-select') ? control.querySelector('input') : null;
  if (target) {
    target.id = `bk-${place.blockId}`;
    target.removeAttribute('aria-label');
    label.htmlFor = target.id;
  } else {
    label.id = `bk-label-${place.blockId}`;
    control.setAttribute('aria-labelledby', label.id);
  }
  return h(
    'div',
    { class: `bk-input-block${error ? ' has-error' : ''}` },
    label,
    control,
    isObj(b['hint']) ? h('div', { class: 'hint' }, textObject(b['hint'], ctx)) : null,
    error ? h('div', { class: 'input-error', role: 'alert' }, error) : null,
  );
}

function image(b: Obj, ctx: BlockContext): HTMLElement {
  const alt = str(b['alt_text']);
  const file = isObj(b['slack_file']) ? b['slack_file'] : undefined;
  const title = isObj(b['title']) ? h('div', { class: 'image-title' }, textObject(b['title'], ctx)) : null;
  // A file uploaded to Slack: the fake keeps no bytes to show, so the page says what would be there.
  const picture = file
    ? h('div', { class: 'image-placeholder', role: 'img', 'aria-label': alt }, `🖼 ${alt || 'image'} (Slack file ${str(file['id']) || str(file['url'])})`)
    : h('img', { class: 'bk-image', src: str(b['image_url']) || null, alt });
  return h('figure', { class: 'bk-image-block' }, title, picture);
}

/** table: rows of raw_text / rich_text cells, the first row being the header. */
function table(b: Obj, ctx: BlockContext): HTMLElement {
  const settings = list(b['column_settings']);
  const cell = (c: unknown, i: number, tag: 'th' | 'td') => {
    const setting = settings[i];
    const td = h(tag, {}, isObj(c) && c['type'] === 'rich_text' ? richText(c, ctx) : str(isObj(c) ? c['text'] : ''));
    if (isObj(setting) && typeof setting['align'] === 'string') td.style.textAlign = setting['align'];
    return td;
  };
  const [head = [], ...rows] = list(b['rows']).map(list);
  return h(
    'table',
    { class: 'bk-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        head.map((c, i) => cell(c, i, 'th')),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          r.map((c, i) => cell(c, i, 'td')),
        ),
      ),
    ),
  );
}
