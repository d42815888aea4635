/**
 * The far ends the benchmarks run the app against (fake Slack, GCE simulator), imported from one place:
 * when they move (to sim/), only this file changes.
 */
export * from '../../sim/slack/index.ts';
export { GceSimulator, scaledScheduler, type GceSimulatorOptions } from '../../sim/gce/index.ts';
