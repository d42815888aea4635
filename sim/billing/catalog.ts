/**
 * A small Compute Engine SKU catalog in the Cloud Billing Catalog API's shape
 * (`GET /v1/services/6F81-5844-456A/skus`): category, serviceRegions, pricingInfo with
 * pricingExpression.tieredRates and unitPrice as units + nanos. Descriptions, categories and units follow
 * Google's catalog; the prices are Google's published list prices (USD) for the sample machine types,
 * e.g. e2-standard-2 in us-central1 = 2 × 0.02181159 + 8 × 0.00292353 = 0.06701142 per hour. SKU ids
 * other than CF4E-A0C7-E3BF (E2 Instance Core running in Americas) are made up. docs/PRICES.md lists them.
 */

export const COMPUTE_SERVICE = 'services/6F81-5844-456A';

const AMERICAS = ['us-central1', 'us-east1', 'us-west1'];
const BELGIUM = ['europe-west1'];

export interface CatalogSku {
  name: string;
  skuId: string;
  description: string;
  category: { serviceDisplayName: string; resourceFamily: string; resourceGroup: string; usageType: string };
  serviceRegions: string[];
  pricingInfo: Array<{
    summary: string;
    pricingExpression: {
      usageUnit: string;
      usageUnitDescription: string;
      baseUnit: string;
      baseUnitDescription: string;
      baseUnitConversionFactor: number;
      displayQuantity: number;
      tieredRates: Array<{ startUsageAmount: number; unitPrice: { currencyCode: string; units: string; nanos: number } }>;
    };
    aggregationInfo: { aggregationLevel: string; aggregationInterval: string; aggregationCount: number };
    currencyConversionRate: number;
    effectiveTime: string;
  }>;
  serviceProviderName: string;
  geoTaxonomy: { type: string; regions: string[] };
}

const UNITS: Record<string, { description: string; base: string; baseDescription: string; factor: number }> = {
  h: { description: 'hour', base: 's', baseDescription: 'second', factor: 3600 },
  'GiBy.h': { description: 'gibibyte hour', base: 'By.s', baseDescription: 'byte second', factor: 3865470566400 },
  'GiBy.mo': { description: 'gibibyte month', base: 'By.s', baseDescription: 'byte second', factor: 2853258240000000 },
  GiBy: { description: 'gibibyte', base: 'By', baseDescription: 'byte', factor: 1073741824 },
};

let serial = 0;

/** One SKU. `price` is USD per unit; several prices make tiers (the first one may be a free tier at 0). */
export function sku(
  description: string,
  c: { family: string; group: string; usage?: string; regions: string[]; unit: string; price: number | number[]; skuId?: string },
): CatalogSku {
  const skuId = c.skuId ?? `F1E0-${String(++serial).padStart(4, '0')}-DEMO`;
  const unit = UNITS[c.unit]!;
  const prices = Array.isArray(c.price) ? c.price : [c.price];
  return {
    name: `${COMPUTE_SERVICE}/skus/${skuId}`,
    skuId,
    description,
    category: { serviceDisplayName: 'Compute Engine', resourceFamily: c.family, resourceGroup: c.group, usageType: c.usage ?? 'OnDemand' },
    serviceRegions: c.regions,
    pricingInfo: [
      {
        summary: '',
        pricingExpression: {
          usageUnit: c.unit,
          usageUnitDescription: unit.description,
          baseUnit: unit.base,
          baseUnitDescription: unit.baseDescription,
          baseUnitConversionFactor: unit.factor,
          displayQuantity: 1,
          tieredRates: prices.map((p, i) => ({
            startUsageAmount: i === 0 ? 0 : 30 * i,
            unitPrice: { currencyCode: 'USD', units: String(Math.trunc(p)), nanos: Math.round((p - Math.trunc(p)) * 1e9) },
          })),
        },
        aggregationInfo: { aggregationLevel: 'ACCOUNT', aggregationInterval: 'MONTHLY', aggregationCount: 1 },
        currencyConversionRate: 1,
        effectiveTime: '2026-11-30T08:00:00.000Z',
      },
    ],
    serviceProviderName: 'Google',
    geoTaxonomy: { type: c.regions.length > 1 ? 'MULTI_REGIONAL' : 'REGIONAL', regions: c.regions },
  };
}

const machine = (family: string, where: string, regions: string[], core: number, ram: number, spot?: { core: number; ram: number }): CatalogSku[] => {
  const amd = family === 'N2D' ? ' AMD' : family === 'N1' ? ' Predefined' : '';
  const group = family === 'N1' ? 'N1Standard' : undefined;
  const skus = [
    sku(`${family}${amd} Instance Core running in ${where}`, {
      family: 'Compute',
      group: group ?? 'CPU',
      regions,
      unit: 'h',
      price: core,
      ...(family === 'E2' && where === 'Americas' ? { skuId: 'CF4E-A0C7-E3BF' } : {}),
    }),
    sku(`${family}${amd} Instance Ram running in ${where}`, { family: 'Compute', group: group ?? 'RAM', regions, unit: 'GiBy.h', price: ram }),
  ];
  if (spot) {
    skus.push(
      sku(`Spot Preemptible ${family}${amd} Instance Core running in ${where}`, {
        family: 'Compute',
        group: 'CPU',
        usage: 'Preemptible',
        regions,
        unit: 'h',
        price: spot.core,
      }),
      sku(`Spot Preemptible ${family}${amd} Instance Ram running in ${where}`, {
        family: 'Compute',
        group: 'RAM',
        usage: 'Preemptible',
        regions,
        unit: 'GiBy.h',
        price: spot.ram,
      }),
    );
  }
  return skus;
};

const storage = (description: string, group: string, regions: string[], price: number | number[]) =>
  sku(description, { family: 'Storage', group, regions, unit: 'GiBy.mo', price });

/** The sample catalog: what the machine types of the simulator and the default allowed zones need, plus SKUs the rules must skip. */
export function sampleCatalog(): CatalogSku[] {
  serial = 0;
  return [
    ...machine('E2', 'Americas', AMERICAS, 0.02181159, 0.00292353, { core: 0.00654, ram: 0.000877 }),
    ...machine('E2', 'Belgium', BELGIUM, 0.02399276, 0.00321591, { core: 0.007198, ram: 0.000965 }),
    ...machine('N2', 'Americas', AMERICAS, 0.031611, 0.004237, { core: 0.007673, ram: 0.001029 }),
    ...machine('N2', 'Belgium', BELGIUM, 0.034773, 0.004661),
    ...machine('N2D', 'Americas', AMERICAS, 0.027502, 0.003686),
    ...machine('C3', 'Americas', AMERICAS, 0.03398, 0.00455),
    ...machine('N1', 'Americas', AMERICAS, 0.031611, 0.004237),
    storage('Storage PD Capacity', 'PDStandard', [...AMERICAS, ...BELGIUM], 0.04),
    storage('Balanced PD Capacity', 'SSD', [...AMERICAS, ...BELGIUM], 0.1),
    storage('SSD backed PD Capacity', 'SSD', [...AMERICAS, ...BELGIUM], 0.17),
    storage('Storage Machine Image', 'MachineImage', [...AMERICAS, ...BELGIUM], 0.05),
    storage('Suspended VM memory and device state', 'PDStandard', [...AMERICAS, ...BELGIUM], 0.04),
    // Not ours: the rules must skip these.
    storage('Regional Storage PD Capacity', 'PDStandard', [...AMERICAS, ...BELGIUM], 0.08),
    sku('N2 Custom Instance Core running in Americas', { family: 'Compute', group: 'CPU', regions: AMERICAS, unit: 'h', price: 0.033191 }),
    sku('Commitment v1: E2 Cpu in Americas for 1 Year', { family: 'Compute', group: 'CPU', usage: 'Commit1Yr', regions: AMERICAS, unit: 'h', price: 0.013741 }),
    sku('Network Internet Egress from Americas to Americas', {
      family: 'Network',
      group: 'PremiumInternetEgress',
      regions: AMERICAS,
      unit: 'GiBy',
      price: [0, 0.12],
    }),
  ];
}
