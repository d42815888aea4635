/** action_id / callback_id strings of the App Home. */
export const HomeIds = {
  seeAllDemos: 'home.see_all_demos',
  seeAllImages: 'home.see_all_images',
  listView: 'home.list',
  page: 'home.page',
  openFleet: 'home.open_fleet',
  /** Value `mute` or `unmute`: DMs about new comments on the user's images. */
  commentDms: 'home.comment_dms',
} as const;
