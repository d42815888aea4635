/**
 * Storage list prices (USD, us regions) for what a stopped demo or a saved image keeps costing.
 * Source: https://cloud.google.com/compute/disks-image-pricing — machine image storage is billed per
 * GiB-month of stored (compressed, differential) data; a stopped VM keeps paying for its disks
 * (standard persistent disk: "a 200 GB standard Persistent Disk volume would cost $8.00 for the whole month").
 * Estimates for the user's eyes, not the ledger: accounting's prices table is the reference for VM time.
 */
export const MACHINE_IMAGE_USD_PER_GIB_MONTH = 0.05;
export const STANDARD_PD_USD_PER_GIB_MONTH = 0.04;

const GIB = 1024 ** 3;

export function monthlyStorageUsd(bytes: number | string | null | undefined, usdPerGibMonth: number): number | null {
  const n = Number(bytes);
  if (bytes === null || bytes === undefined || !Number.isFinite(n) || n < 0) return null;
  return (n / GIB) * usdPerGibMonth;
}

export function formatUsd(n: number | null, currency = 'USD'): string {
  if (n === null) return 'price unknown';
  const symbol = currency === 'USD' ? '$' : `${currency} `;
  return `${symbol}${n < 10 ? n.toFixed(2) : n.toFixed(0)}`;
}

export function formatGib(bytes: number | string | null | undefined): string {
  const n = Number(bytes);
  if (bytes === null || bytes === undefined || !Number.isFinite(n)) return '? GiB';
  return `${(n / GIB).toFixed(n < 10 * GIB ? 1 : 0)} GiB`;
}
