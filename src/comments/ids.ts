/** action_id / callback_id strings of comments; `comment` and `showMore` carry the image id as value. */
export const CommentIds = {
  comment: 'comments.comment',
  commentView: 'comments.comment_view',
  bodyBlock: 'comments.body_block',
  body: 'comments.body',
  showMore: 'comments.show_more',
  listView: 'comments.list',
} as const;

export const CommentJobs = {
  /** Post a comment written in the app into its image's thread (once). */
  post: 'comment-post',
  /** Create an image's catalog thread (when it is shared or published). */
  thread: 'image-thread',
} as const;

/** Message metadata event types: a thread parent per image, a reply per comment, each posted once. */
export const IMAGE_THREAD_EVENT = 'demo_vm_image_thread';
export const COMMENT_EVENT = 'demo_vm_comment';
