import type { QueueSpec } from '../platform/jobs.ts';

/** action_id / callback_id strings of the catalog, one place so listeners and views agree. */
export const CatalogIds = {
  browseView: 'catalog.browse',
  detailView: 'catalog.detail',
  search: 'catalog.search',
  searchBlock: 'catalog.search_block',
  filter: 'catalog.filter',
  sort: 'catalog.sort',
  jump: 'catalog.jump',
  page: 'catalog.page',
  openDetail: 'catalog.open_detail',
  launch: 'catalog.launch',
  /** Opens the browse modal from elsewhere (the Home tab's empty state). */
  openBrowse: 'catalog.open_browse',
  /** The global shortcut "Launch a demo" (manifests/slack-app.yml declares this callback_id). */
  launchShortcut: 'demo_launch',
} as const;

/** Job queue names. */
export const CatalogJobs = {
  publish: 'catalog-publish',
} as const;

export const CatalogQueues: Readonly<Record<string, QueueSpec>> = {
  [CatalogJobs.publish]: { retryLimit: 5, expireInSeconds: 300 },
};
