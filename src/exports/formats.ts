/** Export formats and destinations: pure rules, shared by the command, the modal and the job. */

/** What `gcloud compute images export --export-format` takes (qemu-img names), plus GCE's own tar.gz. */
export const EXPORT_FORMATS = ['vmdk', 'vhdx', 'vpc', 'vdi', 'qcow2', 'tar.gz'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const FORMAT_INFO: Record<ExportFormat, { label: string; extension: string; for: string }> = {
  vmdk: { label: 'VMDK', extension: '.vmdk', for: 'VMware ESXi, Workstation, Fusion' },
  vhdx: { label: 'VHDX', extension: '.vhdx', for: 'Hyper-V' },
  vpc: { label: 'VHD (vpc)', extension: '.vhd', for: 'Hyper-V, Azure, Virtual PC' },
  vdi: { label: 'VDI', extension: '.vdi', for: 'VirtualBox' },
  qcow2: { label: 'QCOW2', extension: '.qcow2', for: 'KVM, QEMU, Proxmox' },
  'tar.gz': { label: 'GCE image (tar.gz)', extension: '.tar.gz', for: 'importing back into Compute Engine' },
};

/** Words people type for a format. */
const ALIASES: Record<string, ExportFormat> = { vhd: 'vpc', gce: 'tar.gz', tgz: 'tar.gz', 'disk.raw.tar.gz': 'tar.gz' };

export function parseFormat(word: string | undefined): ExportFormat | null {
  if (!word) return null;
  const w = word.trim().toLowerCase().replace(/^\./, '');
  if ((EXPORT_FORMATS as readonly string[]).includes(w)) return w as ExportFormat;
  return ALIASES[w] ?? null;
}

export function formatList(): string {
  return EXPORT_FORMATS.map((f) => `\`${f}\` (${FORMAT_INFO[f].for})`).join(', ');
}

const BUCKET = /^[a-z0-9][-a-z0-9_.]{1,61}[a-z0-9]$/;
// Object name rules are loose (any UTF-8 but CR/LF, ≤ 1024 bytes); a prefix people type here is a folder path.
const PREFIX = /^[A-Za-z0-9._\-/]*$/;

export type Destination = { bucket: string; prefix: string };

/** `gs://bucket` or `gs://bucket/some/folder` → bucket and a prefix ending in `/` (or empty). */
export function parseDestination(text: string): Destination | { error: string } {
  const m = /^gs:\/\/([^/\s]+)(?:\/(.*))?$/.exec(text.trim());
  if (!m) return { error: `\`${text.slice(0, 100)}\` is not a Cloud Storage location. Write it as \`gs://bucket\` or \`gs://bucket/folder/\`.` };
  const bucket = m[1]!;
  if (!BUCKET.test(bucket)) return { error: `\`${bucket.slice(0, 100)}\` is not a valid bucket name.` };
  const prefix = normalizePrefix(m[2] ?? '');
  return typeof prefix === 'string' ? { bucket, prefix } : prefix;
}

/** `a/b` → `a/b/`; `/a//b/` → `a/b/`; empty stays empty. Refuses characters that make bad object names. */
export function normalizePrefix(raw: string): string | { error: string } {
  const trimmed = raw.trim();
  if (!PREFIX.test(trimmed)) return { error: 'A folder may use letters, digits, `.`, `_`, `-` and `/` only.' };
  const parts = trimmed.split('/').filter(Boolean);
  if (parts.some((p) => p === '.' || p === '..')) return { error: 'A folder cannot contain `.` or `..` parts.' };
  const prefix = parts.length ? `${parts.join('/')}/` : '';
  if (prefix.length > 512) return { error: 'That folder path is too long (512 characters at most).' };
  return prefix;
}

/** prefix + image name + extension: `gs://bucket/folder/crm-demo.vmdk`. */
export function destinationUri(d: Destination, imageName: string, format: ExportFormat): string {
  return `gs://${d.bucket}/${d.prefix}${imageName}${FORMAT_INFO[format].extension}`;
}

/** Cloud Console page of an object. */
export function objectConsoleUrl(uri: string, project: string): string | null {
  const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) return null;
  const path = `${m[1]}/${m[2]!.split('/').map(encodeURIComponent).join('/')}`;
  return `https://console.cloud.google.com/storage/browser/_details/${path}?project=${encodeURIComponent(project)}`;
}

/** 4294967296 → "4.0 GiB". */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'unknown';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[i]}`;
}
