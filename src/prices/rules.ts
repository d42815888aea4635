/**
 * Which Cloud Billing Catalog SKUs of Compute Engine (service 6F81-5844-456A) price what, and how a
 * machine type's hourly price follows from them. Pure functions; docs/PRICES.md shows the SKUs these
 * rules were written against (sim/billing/catalog.ts serves the same ones).
 */

/** The SKU fields we read, as the client library and the REST API both give them (camelCase). */
export interface Sku {
  skuId?: string | null;
  description?: string | null;
  category?: { resourceFamily?: string | null; resourceGroup?: string | null; usageType?: string | null } | null;
  serviceRegions?: string[] | null;
  pricingInfo?: Array<{
    effectiveTime?: { seconds?: unknown } | string | null;
    pricingExpression?: {
      usageUnit?: string | null;
      tieredRates?: Array<{
        startUsageAmount?: number | null;
        unitPrice?: { currencyCode?: string | null; units?: unknown; nanos?: number | null } | null;
      }> | null;
    } | null;
  }> | null;
}

/** A machine price with region '*' applies wherever a type has no price of its own (set by admins only). */
export const ANY_REGION = '*';

export type Tier = 'ondemand' | 'spot';
/** A vCPU-hour or GiB-hour of a machine family, or a GiB-month of a kind of storage. */
export type RateKind = 'core' | 'ram' | 'storage';
export const STORAGE = ['pd-standard', 'pd-balanced', 'pd-ssd', 'machine-image', 'suspended'] as const;
export type StorageKind = (typeof STORAGE)[number];

export interface Rate {
  region: string;
  kind: RateKind;
  /** Machine family (e2, n2, n2d, c3, n1…) for core and ram; the storage kind for storage. */
  family: string;
  tier: Tier;
  /** Per unit: hour (core), GiB-hour (ram), GiB-month (storage). */
  unitPrice: number;
  currency: string;
  skuId: string;
  description: string;
}

/** The unit each kind must be priced in (`pricingExpression.usageUnit`); another unit is not matched. */
const UNIT: Record<RateKind, string> = { core: 'h', ram: 'GiBy.h', storage: 'GiBy.mo' };

/**
 * Machine cores and memory, category `resourceFamily` "Compute", `usageType` "OnDemand" or
 * "Preemptible" (Spot). The family is the first word of the description:
 *   "E2 Instance Core running in Americas", "N2D AMD Instance Ram running in Belgium",
 *   "N1 Predefined Instance Core running in Americas", "Spot Preemptible E2 Instance Core running in Americas".
 * Custom, sole-tenant, commitment and premium SKUs have other words there and are not matched.
 */
const MACHINE = /^(?:Spot Preemptible )?(?<family>[A-Z][A-Z0-9]*)(?: AMD| Predefined)? Instance (?<part>Core|Ram) running in /;

/**
 * Storage, category `resourceFamily` "Storage", `usageType` "OnDemand", one price per GiB-month:
 *   "Storage PD Capacity" (pd-standard), "Balanced PD Capacity", "SSD backed PD Capacity",
 *   "Storage Machine Image", "Suspended VM memory and device state". Regional (replicated) disks are not ours.
 */
const STORAGE_SKUS: Array<[RegExp, StorageKind]> = [
  [/^Storage PD Capacity\b/, 'pd-standard'],
  [/^Balanced PD Capacity\b/, 'pd-balanced'],
  [/^SSD backed PD Capacity\b/, 'pd-ssd'],
  [/^Storage Machine Image\b/, 'machine-image'],
  [/^Suspended VM memory\b/i, 'suspended'],
];

/** google.type.Money: whole units (an int64, a string in JSON) plus nanos. */
export function money(p: { units?: unknown; nanos?: number | null }): number {
  return Number(String(p.units ?? 0)) + (p.nanos ?? 0) / 1e9;
}

function seconds(t: { seconds?: unknown } | string | null | undefined): number {
  if (!t) return 0;
  return typeof t === 'string' ? Date.parse(t) / 1000 : Number(String(t.seconds ?? 0));
}

/**
 * The SKU's current price: its latest `pricingInfo`, and there the first tier above zero (a leading
 * free tier is skipped). null when no tier costs anything: an unknown price is never $0.
 */
function unitPrice(sku: Sku): { unit: string; price: number; currency: string } | null {
  const info = [...(sku.pricingInfo ?? [])].sort((a, b) => seconds(b.effectiveTime) - seconds(a.effectiveTime))[0];
  const expr = info?.pricingExpression;
  const tier = [...(expr?.tieredRates ?? [])]
    .sort((a, b) => (a.startUsageAmount ?? 0) - (b.startUsageAmount ?? 0))
    .find((t) => t.unitPrice && money(t.unitPrice) > 0);
  if (!expr?.usageUnit || !tier?.unitPrice) return null;
  return { unit: expr.usageUnit, price: money(tier.unitPrice), currency: tier.unitPrice.currencyCode || 'USD' };
}

function classify(sku: Sku): Pick<Rate, 'kind' | 'family' | 'tier'> | null {
  const description = sku.description ?? '';
  const { resourceFamily, usageType } = sku.category ?? {};
  if (resourceFamily === 'Compute') {
    const m = MACHINE.exec(description);
    const tier = usageType === 'OnDemand' ? 'ondemand' : usageType === 'Preemptible' ? 'spot' : null;
    if (!m || !tier || description.startsWith('Spot') !== (tier === 'spot')) return null;
    return { kind: m.groups!.part === 'Core' ? 'core' : 'ram', family: m.groups!.family!.toLowerCase(), tier };
  }
  if (resourceFamily === 'Storage' && usageType === 'OnDemand') {
    const kind = STORAGE_SKUS.find(([re]) => re.test(description))?.[1];
    return kind ? { kind: 'storage', family: kind, tier: 'ondemand' } : null;
  }
  return null;
}

/** The rates one SKU gives, one per region it serves; none when no rule matches it. */
export function ratesOf(sku: Sku): Rate[] {
  const what = classify(sku);
  const price = what && unitPrice(sku);
  if (!what || !price || price.unit !== UNIT[what.kind]) return [];
  return (sku.serviceRegions ?? []).map((region) => ({
    region,
    ...what,
    unitPrice: price.price,
    currency: price.currency,
    skuId: sku.skuId ?? '',
    description: sku.description ?? '',
  }));
}

/**
 * Shared-core E2 types show 2 vCPUs but are billed for a fraction of one: e2-micro 0.25, e2-small 0.5,
 * e2-medium 1 (https://cloud.google.com/compute/docs/general-purpose-machines#sharedcore). N1's
 * f1-micro and g1-small have SKUs of their own and stay unknown here.
 */
const BILLED_VCPUS: Record<string, number> = { 'e2-micro': 0.25, 'e2-small': 0.5, 'e2-medium': 1 };

export interface MachineSize {
  name: string;
  guestCpus: number;
  memoryMb: number;
  isSharedCpu: boolean;
}

/** `n2d-standard-4` → `n2d`. */
export function familyOf(machineType: string): string {
  return machineType.split('-')[0]!.toLowerCase();
}

/** vCPUs × core price + memory GiB × RAM price of the type's family; null when either is unknown. */
export function machineHourlyPrice(size: MachineSize, rates: { core?: number; ram?: number }): number | null {
  const vcpus = size.isSharedCpu ? BILLED_VCPUS[size.name] : size.guestCpus;
  if (vcpus === undefined || rates.core === undefined || rates.ram === undefined) return null;
  return vcpus * rates.core + (size.memoryMb / 1024) * rates.ram;
}
