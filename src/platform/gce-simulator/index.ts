export { GceSimulator } from './simulator.ts';
export type { GceSimulatorOptions } from './state.ts';
export { DEFAULT_MACHINE_TYPES, DEFAULT_ZONES } from './state.ts';
export type { FaultKind, FaultSpec, OperationErrorSpec } from './faults.ts';
export type { MachineImageSeed } from './machine-images.ts';
export type { RecordedRequest } from './server.ts';
export type { GceInstance, GceInstanceStatus, GceMachineImage, GceOperation } from './types.ts';
export { appPathFromLabel, CATALOG_LABEL, SAMPLE_MACHINE_IMAGES } from './samples.ts';
