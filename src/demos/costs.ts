const GIB = 1024 ** 3;

/**
 * What keeping `bytes` costs a month at a GiB-month rate (the catalog's, see prices/store.ts
 * storageRateSql); null when the size or the rate is unknown.
 */
export function monthlyStorageUsd(bytes: number | string | null | undefined, usdPerGibMonth: number | null): number | null {
  const n = Number(bytes);
  if (bytes === null || bytes === undefined || !Number.isFinite(n) || n < 0 || usdPerGibMonth === null) return null;
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
