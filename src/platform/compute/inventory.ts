import type { Compute, Instance } from './port.ts';

/** Every VM the app creates carries the label managed-by=demo-vm (demos, export workers). */
export const MANAGED_FILTER = 'labels.managed-by=demo-vm';

/** Every managed instance of the project (aggregated list, all pages). */
export async function listManaged(compute: Compute): Promise<Instance[]> {
  const all: Instance[] = [];
  let pageToken: string | undefined;
  do {
    const page = await compute.listInstances({ filter: MANAGED_FILTER, pageToken, maxResults: 500 });
    all.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return all;
}
