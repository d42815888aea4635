export const DemoIds = {
  launchView: 'demos.launch',
  zoneBlock: 'demos.zone_block',
  zone: 'demos.zone',
  machineTypeBlock: 'demos.machine_type_block',
  machineType: 'demos.machine_type',
  ttlBlock: 'demos.ttl_block',
  ttl: 'demos.ttl',
  stop: 'demos.stop',
  start: 'demos.start',
  delete: 'demos.delete',
  retryZone: 'demos.retry_zone',
  openLink: 'demos.open_link',
} as const;

/** Job queue names. */
export const DemoJobs = {
  launch: 'demo-launch',
  power: 'demo-power',
  probe: 'demo-probe',
  relabel: 'demo-relabel',
} as const;

/** Message metadata event type: finds a demo's status DM again after a crash. */
export const STATUS_EVENT = 'demo_vm_demo_status';
