import type { KnownBlock, View } from '@slack/types';
import type { ImageDetail } from '../catalog/service.ts';
import type { OverDetailMetadata } from '../catalog/views.ts';
import { button, context, divider, escapeMrkdwn, header, modal, plain, section, sections, slackDate, truncate } from '../platform/blocks.ts';
import { CommentIds } from './ids.ts';

/** Block Kit of comments, pure. Bodies are Slack mrkdwn already (see store.ts), so they are not escaped again. */

export const MAX_INPUT = 3000;
/** Comments in the "show more" modal: one block each, well under the 100 blocks of a modal. */
export const LIST_LIMIT = 40;

export interface CommentLine {
  authorId: string;
  body: string;
  createdAt: Date;
  editedAt?: Date | null;
}

export function commentBlock(c: CommentLine, maxChars = 600): KnownBlock {
  return context(`<@${c.authorId}> · ${slackDate(c.createdAt)}${c.editedAt ? ' · _edited_' : ''}`, truncate(c.body, maxChars));
}

/** The comments section of an image's details (registered with catalog/detail.ts); the thread has them all. */
export function detailBlocks(d: ImageDetail): KnownBlock[] {
  const { image, stats } = d;
  const thread = d.threadUrl ? ` · <${d.threadUrl}|open the thread>` : '';
  const blocks: KnownBlock[] = [divider(), section(`*Comments* (${stats.comments})${thread}`)];
  if (d.comments.length === 0) blocks.push(context('No comments yet.'));
  for (const c of d.comments) blocks.push(commentBlock(c));
  const actions = [
    ...(d.can.comment ? [button('Comment', CommentIds.comment, image.id)] : []),
    ...(stats.comments > d.comments.length ? [button(`Show more (${stats.comments})`, CommentIds.showMore, image.id)] : []),
  ];
  if (actions.length) blocks.push({ type: 'actions', elements: actions });
  return blocks;
}

/**
 * The reply the bot posts for a comment written in the app: under the commenter's name and picture
 * when Slack told us them (chat.postMessage's username / icon_url), marked as posted by the app. Without
 * them the words are attributed in the text.
 */
export function replyMessage(authorId: string, body: string, asAuthor: boolean): { text: string; blocks: KnownBlock[] } {
  // A comment may be up to 3000 characters before escaping: it can need more than one section.
  if (!asAuthor) {
    const text = `<@${authorId}> wrote: ${body}`;
    return { text, blocks: sections(text) };
  }
  return { text: body, blocks: [...sections(body), context(`<@${authorId}> via demo-vm`)] };
}

/** The owner's DM about new comments on one of their images (the newest few, and the way to the thread). */
export function commentDmMessage(imageTitle: string, comments: CommentLine[], threadUrl: string | null): { text: string; blocks: KnownBlock[] } {
  const n = comments.length;
  const what = `${n === 1 ? 'A new comment' : `${n} new comments`} on your image`;
  const shown = comments.slice(-5);
  const blocks: KnownBlock[] = [section(`:speech_balloon: ${what} *${escapeMrkdwn(imageTitle)}*${threadUrl ? ` · <${threadUrl}|open the thread>` : ''}`)];
  if (n > shown.length) blocks.push(context(`${n - shown.length} earlier ${n - shown.length === 1 ? 'one is' : 'ones are'} in the thread.`));
  for (const c of shown) blocks.push(commentBlock(c, 300));
  blocks.push(context('You can mute these DMs in my Home tab.'));
  return { text: `${what} ${escapeMrkdwn(imageTitle)}`, blocks };
}

export function threadParent(imageTitle: string, card: KnownBlock[]): { text: string; blocks: KnownBlock[] } {
  const text = `:speech_balloon: Comments on ${escapeMrkdwn(imageTitle)}`;
  return {
    text,
    blocks: [
      section(`:speech_balloon: *Comments on ${escapeMrkdwn(imageTitle)}*`),
      ...card,
      context('Reply in this thread: replies show up as comments in the catalog, edits and deletions too.'),
    ],
  };
}

export function commentModal(image: { id: string; title: string }, parentViewId: string | null): View {
  return modal({
    title: 'Comment',
    callbackId: CommentIds.commentView,
    submit: 'Post',
    privateMetadata: JSON.stringify({ imageId: image.id, parentViewId } satisfies OverDetailMetadata),
    blocks: [
      section(`On *${escapeMrkdwn(image.title)}*. Your comment is posted in the image's thread, in your name.`),
      {
        type: 'input',
        block_id: CommentIds.bodyBlock,
        label: plain('Comment'),
        element: {
          type: 'plain_text_input',
          action_id: CommentIds.body,
          multiline: true,
          max_length: MAX_INPUT,
          placeholder: plain('What worked, what to watch out for, which customer it suits…'),
        },
      },
    ],
  });
}

export function commentsListView(d: { imageId: string; title: string; comments: CommentLine[]; total: number; threadUrl: string | null }): View {
  const blocks: KnownBlock[] = [
    header(truncate(d.title, 150)),
    context(`${d.total} comment${d.total === 1 ? '' : 's'}${d.threadUrl ? ` · <${d.threadUrl}|open the thread in Slack>` : ''}`),
    divider(),
  ];
  if (d.comments.length === 0) blocks.push(section('No comments yet.'));
  for (const c of d.comments.slice(0, LIST_LIMIT)) blocks.push(commentBlock(c, 2900));
  if (d.total > d.comments.length) blocks.push(context(`Showing the newest ${d.comments.length}.${d.threadUrl ? ` The thread has them all.` : ''}`));
  blocks.push({ type: 'actions', elements: [button('Add a comment', CommentIds.comment, d.imageId)] });
  return modal({ title: 'Comments', callbackId: CommentIds.listView, blocks, privateMetadata: JSON.stringify({ imageId: d.imageId }) });
}
