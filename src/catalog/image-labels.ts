import { regionOfZone, type MachineImage } from '../platform/compute/port.ts';

/**
 * How a catalog machine image describes itself. GCE label values allow only lowercase letters,
 * digits, `_` and `-` (≤ 63 chars), so:
 *   app-scheme = http | https, app-port = 8080, app-path = -crm-login (every `-` stands for `/`)
 *   title      = the first line of the machine image's description (else its name, humanised)
 *   replaces   = the name of the machine image this one is a newer version of (it leaves the catalog)
 *   any other label (except ours and GCE-internal ones) becomes a tag `key:value`
 */
export interface AppDeclaration {
  scheme: 'http' | 'https';
  port: number;
  path: string;
}

export interface CatalogEntry {
  gceName: string;
  title: string;
  description: string;
  tags: string[];
  app: AppDeclaration | null;
  storageBytes: number | null;
  createdAt: Date;
  /** Where the image lives: its source VM's region (us-central1), else its storage location (us). */
  region: string | null;
  /** The machine image this one is a newer version of (label `replaces=<its name>`): it leaves the catalog. */
  replaces: string | null;
}

const RESERVED_LABELS = new Set(['app-scheme', 'app-port', 'app-path', 'managed-by', 'demo-id', 'owner', 'purpose', 'replaces', 'pool-image']);

/** A GCE resource name (what `replaces` must hold). */
const GCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function appFromLabels(labels: Record<string, string>): AppDeclaration | null {
  const port = Number(labels['app-port']);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  const scheme = labels['app-scheme'] === 'https' ? 'https' : 'http';
  const raw = labels['app-path'];
  const path = raw ? raw.replaceAll('-', '/') : '/';
  return { scheme, port, path: path.startsWith('/') ? path : `/${path}` };
}

export function humanise(name: string): string {
  const words = name.split(/[-_]+/).filter(Boolean);
  return words.map((w, i) => (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w)).join(' ') || name;
}

/** The region of the machine image's source instance (zone us-central1-a → us-central1), else where it is stored. */
export function imageRegion(image: Pick<MachineImage, 'sourceInstance' | 'storageLocations'>): string | null {
  const zone = /(?:^|\/)zones\/([^/]+)\/instances\//.exec(image.sourceInstance ?? '')?.[1];
  if (zone) return regionOfZone(zone);
  return image.storageLocations?.[0] || null;
}

export function catalogEntryFrom(image: MachineImage, catalogLabelKey: string): CatalogEntry {
  const [firstLine = '', ...rest] = image.description.trim().split('\n');
  const hasTitleLine = rest.length > 0 && firstLine.length <= 150;
  const title = (hasTitleLine ? firstLine : humanise(image.name)).slice(0, 150);
  const description = (hasTitleLine ? rest.join('\n').trim() : image.description.trim()).slice(0, 3000);
  const tags = Object.entries(image.labels)
    .filter(([k]) => k !== catalogLabelKey && !RESERVED_LABELS.has(k) && !k.startsWith('goog-'))
    .map(([k, v]) => (v ? `${k}:${v}` : k))
    .sort();
  return {
    gceName: image.name,
    title,
    description,
    tags,
    app: appFromLabels(image.labels),
    storageBytes: image.totalStorageBytes ?? null,
    createdAt: image.createdAt,
    region: imageRegion(image),
    replaces: GCE_NAME.test(image.labels['replaces'] ?? '') && image.labels['replaces'] !== image.name ? image.labels['replaces']! : null,
  };
}
