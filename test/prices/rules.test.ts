import { describe, expect, test } from 'vitest';
import { sampleCatalog, sku } from '../../sim/billing/index.ts';
import { machineHourlyPrice, ratesOf } from '../../src/prices/rules.ts';

/** The SKU matching rules and the machine-type price formula, on the fixture SKUs docs/PRICES.md lists. */
const rates = sampleCatalog().flatMap(ratesOf);
const rate = (region: string, kind: string, family: string, tier = 'ondemand') =>
  rates.find((r) => r.region === region && r.kind === kind && r.family === family && r.tier === tier)?.unitPrice;

describe('matching SKUs to rates', () => {
  test('cores and RAM per family and region, on demand and Spot; storage per GiB-month', () => {
    expect(rate('us-central1', 'core', 'e2')).toBe(0.02181159); // "E2 Instance Core running in Americas", units 0 + nanos 21811590
    expect(rate('us-east1', 'ram', 'e2')).toBe(0.00292353); // the same SKU serves each of its serviceRegions
    expect(rate('europe-west1', 'core', 'n2')).toBe(0.034773);
    expect(rate('us-central1', 'core', 'n2d')).toBe(0.027502); // "N2D AMD Instance Core…"
    expect(rate('us-central1', 'ram', 'n1')).toBe(0.004237); // "N1 Predefined Instance Ram…"
    expect(rate('us-central1', 'core', 'e2', 'spot')).toBe(0.00654); // "Spot Preemptible E2 Instance Core…", usageType Preemptible
    expect(rate('us-central1', 'storage', 'pd-standard')).toBe(0.04);
    expect(rate('europe-west1', 'storage', 'pd-balanced')).toBe(0.1);
    expect(rate('us-central1', 'storage', 'machine-image')).toBe(0.05);
    expect(rate('us-central1', 'storage', 'suspended')).toBe(0.04);
  });

  test('regional disks, custom types, commitments and network SKUs match no rule', () => {
    const skipped = sampleCatalog().filter((s) => ratesOf(s).length === 0);
    expect(skipped.map((s) => s.description)).toEqual([
      'Regional Storage PD Capacity',
      'N2 Custom Instance Core running in Americas',
      'Commitment v1: E2 Cpu in Americas for 1 Year',
      'Network Internet Egress from Americas to Americas',
    ]);
  });

  test('a leading free tier is skipped; a SKU that is free throughout, or in another unit, is no price (never $0)', () => {
    const tiered = sku('Storage PD Capacity', { family: 'Storage', group: 'PDStandard', regions: ['us-central1'], unit: 'GiBy.mo', price: [0, 0.04] });
    expect(ratesOf(tiered).map((r) => r.unitPrice)).toEqual([0.04]);
    expect(ratesOf(sku('E2 Instance Core running in Americas', { family: 'Compute', group: 'CPU', regions: ['us-central1'], unit: 'h', price: 0 }))).toEqual(
      [],
    );
    expect(
      ratesOf(sku('E2 Instance Core running in Americas', { family: 'Compute', group: 'CPU', regions: ['us-central1'], unit: 'GiBy.h', price: 0.02 })),
    ).toEqual([]);
  });
});

describe('a machine type per hour = vCPUs × core + GiB × RAM', () => {
  const e2 = { core: 0.02181159, ram: 0.00292353 };
  test('standard types', () => {
    // e2-standard-2: 2 × 0.02181159 + 8 × 0.00292353 = 0.04362318 + 0.02338824
    expect(machineHourlyPrice({ name: 'e2-standard-2', guestCpus: 2, memoryMb: 8192, isSharedCpu: false }, e2)).toBeCloseTo(0.06701142, 10);
    // n1-standard-1: 1 × 0.031611 + 3.75 × 0.004237
    expect(machineHourlyPrice({ name: 'n1-standard-1', guestCpus: 1, memoryMb: 3840, isSharedCpu: false }, { core: 0.031611, ram: 0.004237 })).toBeCloseTo(
      0.04749975,
      10,
    );
  });

  test("shared-core E2 types are billed for Google's fraction of a vCPU: e2-micro 0.25, e2-small 0.5, e2-medium 1", () => {
    // GCE lists each with 2 vCPUs (they burst); billing counts the fraction.
    expect(machineHourlyPrice({ name: 'e2-micro', guestCpus: 2, memoryMb: 1024, isSharedCpu: true }, e2)).toBeCloseTo(0.25 * 0.02181159 + 1 * 0.00292353, 10);
    expect(machineHourlyPrice({ name: 'e2-small', guestCpus: 2, memoryMb: 2048, isSharedCpu: true }, e2)).toBeCloseTo(0.5 * 0.02181159 + 2 * 0.00292353, 10);
    expect(machineHourlyPrice({ name: 'e2-medium', guestCpus: 2, memoryMb: 4096, isSharedCpu: true }, e2)).toBeCloseTo(0.03350571, 10);
    // N1's shared-core types have SKUs of their own: unknown rather than guessed.
    expect(machineHourlyPrice({ name: 'f1-micro', guestCpus: 1, memoryMb: 614, isSharedCpu: true }, e2)).toBeNull();
  });

  test('a family without a core or RAM rate has no price', () => {
    expect(machineHourlyPrice({ name: 'c3-standard-4', guestCpus: 4, memoryMb: 16384, isSharedCpu: false }, { core: 0.03398 })).toBeNull();
  });
});
