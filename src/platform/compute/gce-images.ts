/** Shapes of GCE images and disks as the Compute port sees them (kept apart so gce.ts stays small). */
import type { protos } from '@google-cloud/compute';
import type { Disk, DiskImage } from './port.ts';

type IImage = protos.google.cloud.compute.v1.IImage;
type IDisk = protos.google.cloud.compute.v1.IDisk;
type Int64 = number | string | { toString(): string } | null | undefined;

const last = (s: string | null | undefined): string => (s ? s.slice(s.lastIndexOf('/') + 1) : '');
/** int64 fields come as strings (or Long): a number, or undefined when absent or not finite. */
const int = (v: Int64): number | undefined => {
  if (v === null || v === undefined || v === '') return undefined;
  const n = Number(String(v));
  return Number.isFinite(n) ? n : undefined;
};
/** `https://…/compute/v1/projects/P/…` → `projects/P/…`. */
export const relativePath = (s: string | null | undefined): string | undefined => (s ? s.slice(Math.max(0, s.indexOf('projects/'))) : undefined);

export function toDiskImage(project: string, i: IImage): DiskImage {
  const name = i.name ?? '';
  return {
    name,
    resourcePath: `projects/${project}/global/images/${name}`,
    status: String(i.status ?? ''),
    labels: { ...(i.labels ?? {}) },
    diskSizeGb: int(i.diskSizeGb),
    archiveSizeBytes: int(i.archiveSizeBytes),
    sourceDisk: relativePath(i.sourceDisk),
    createdAt: i.creationTimestamp ? new Date(i.creationTimestamp) : undefined,
  };
}

export function toDisk(d: IDisk): Disk {
  return { name: d.name ?? '', zone: last(d.zone), sizeGb: int(d.sizeGb) ?? 0, status: String(d.status ?? ''), users: [...(d.users ?? [])] };
}

/** The boot disk of an instance resource, as a relative path. */
export function bootDiskOf(disks: Array<{ boot?: boolean | null; source?: string | null }> | null | undefined): string | undefined {
  return relativePath(disks?.find((d) => d.boot)?.source);
}

/** `zones/Z/disks/N`, a relative or a full URL → `projects/P/zones/Z/disks/N`. */
export function diskPath(project: string, ref: string): string {
  const rel = relativePath(ref);
  if (rel && rel.startsWith('projects/')) return rel;
  return `projects/${project}/${ref.replace(/^\/+/, '')}`;
}
