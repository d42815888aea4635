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
} as const;

/** Job queue names. */
export const CatalogJobs = {
  publish: 'catalog-publish',
} as const;

export const CatalogQueues: Readonly<Record<string, QueueSpec>> = {
  [CatalogJobs.publish]: { retryLimit: 5, expireInSeconds: 300 },
};
