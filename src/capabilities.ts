import type { Capability } from './capability.ts';
import { accountingCapability } from './accounting/index.ts';
import { auditCapability } from './audit/index.ts';
import { budgetsCapability } from './budgets/index.ts';
import { catalogCapability } from './catalog/index.ts';
import { commentsCapability } from './comments/index.ts';
import { demosCapability } from './demos/index.ts';
import { exportsCapability } from './exports/index.ts';
import { homeCapability } from './home/index.ts';
import { machineTypesCapability } from './machine-types/index.ts';
import { pricesCapability } from './prices/index.ts';
import { sharingCapability } from './sharing/index.ts';

/** Every capability, in the order their subcommands appear in help. */
export const capabilities: Capability[] = [
  catalogCapability,
  demosCapability,
  sharingCapability,
  commentsCapability,
  homeCapability,
  accountingCapability,
  auditCapability,
  budgetsCapability,
  exportsCapability,
  machineTypesCapability,
  pricesCapability,
];
