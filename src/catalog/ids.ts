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
