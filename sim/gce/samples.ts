/**
 * Sample machine images for local mode, so a newcomer can browse and launch something.
 *
 * Label scheme for catalog images (GCE label values allow only lowercase letters, digits, `_` and
 * `-`, at most 63 characters — no `/`, `:` or `.`):
 *   demo-vm-catalog = true          listed in the catalog
 *   app-scheme      = http | https  scheme of the demo app's URL
 *   app-port        = 8080          TCP port the app listens on
 *   app-path        = -crm-login    URL path with every `-` standing for `/` (`-crm-login` → `/crm/login`,
 *                                   `-` → `/`); a path needing a literal `-` cannot be expressed here
 * The app URL is then `{app-scheme}://{external IP}:{app-port}{path}`. The first line of the
 * description is the catalog title, the rest its description.
 */
import type { MachineImageSeed } from './machine-images.ts';

export const CATALOG_LABEL = 'demo-vm-catalog';

/** Decode the `app-path` label value (see the scheme above). */
export function appPathFromLabel(value: string | undefined): string {
  if (!value) return '/';
  return value.replaceAll('-', '/');
}

const golden = (name: string) => `https://www.googleapis.com/compute/v1/projects/demo-project/zones/us-central1-a/instances/${name}-golden`;

export const SAMPLE_MACHINE_IMAGES: MachineImageSeed[] = [
  {
    name: 'crm-demo',
    description: 'Acme CRM\nAccounts, contacts and a sales pipeline seeded with 500 sample deals. Log in as demo / demo.',
    labels: { [CATALOG_LABEL]: 'true', 'app-scheme': 'http', 'app-port': '8080', 'app-path': '-crm-login', category: 'crm' },
    machineType: 'e2-medium',
    sourceInstance: golden('crm-demo'),
    totalStorageBytes: 6_442_450_944,
    // What an admin's golden VM typically carries: a boot script and the firewall tag README asks for.
    metadata: { 'startup-script': '#! /bin/bash\nsystemctl start crm' },
    tags: ['demo-vm-app'],
  },
  {
    name: 'analytics-dashboard',
    description: 'Analytics dashboard\nA sales overview with live charts over a bundled PostgreSQL warehouse.',
    labels: { [CATALOG_LABEL]: 'true', 'app-scheme': 'http', 'app-port': '3000', 'app-path': '-dashboards', category: 'analytics' },
    machineType: 'e2-standard-2',
    sourceInstance: golden('analytics-dashboard'),
    totalStorageBytes: 10_737_418_240,
  },
  {
    name: 'retail-storefront',
    description: 'Retail storefront\nAn online shop with catalog, cart and checkout (test payments only).',
    labels: { [CATALOG_LABEL]: 'true', 'app-scheme': 'https', 'app-port': '443', 'app-path': '-', category: 'retail' },
    machineType: 'e2-medium',
    sourceInstance: golden('retail-storefront'),
    totalStorageBytes: 8_589_934_592,
  },
  {
    name: 'linux-dev-box',
    description: 'Linux dev box\nDebian 12 with Node.js, Python, Docker and a browser IDE (code-server).',
    labels: { [CATALOG_LABEL]: 'true', 'app-scheme': 'http', 'app-port': '8080', 'app-path': '-', category: 'dev' },
    machineType: 'e2-standard-4',
    sourceInstance: golden('linux-dev-box'),
    totalStorageBytes: 21_474_836_480,
  },
  // Not in the catalog: no label, or other labels only.
  { name: 'base-debian-12', description: 'Plain Debian 12 base image.', machineType: 'e2-small' },
  { name: 'nightly-backup-web-1', description: 'Nightly backup of web-1.', labels: { team: 'platform', backup: 'nightly' }, machineType: 'e2-medium' },
];
