/**
 * The request fields of an insert from a machine image and of setScheduling: GCE's override rule (a
 * field in the request replaces the image's) means each is built from the image's value.
 */
import type { protos } from '@google-cloud/compute';
import type { InsertInstanceRequest } from './port.ts';

type IInstanceProperties = protos.google.cloud.compute.v1.IInstanceProperties;
type IScheduling = protos.google.cloud.compute.v1.IScheduling;
type INetworkInterface = protos.google.cloud.compute.v1.INetworkInterface;
type Placement = NonNullable<InsertInstanceRequest['placement']>;

/**
 * The listed fields of a message the client decoded, without its defaults and oneof markers
 * (`_kind: 'kind'`): what may go back into a request.
 */
function pick<T extends object, K extends keyof T>(from: T | null | undefined, keys: K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) {
    const v = from?.[k];
    if (v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)) out[k] = v;
  }
  return out;
}

/** The image's scheduling with GCE's own stop after `seconds` of running. */
export function withRunLimit(current: IScheduling | null | undefined, seconds: number): IScheduling {
  return {
    ...pick(current, ['automaticRestart', 'onHostMaintenance', 'preemptible', 'provisioningModel']),
    maxRunDuration: { seconds: String(seconds) },
    instanceTerminationAction: 'STOP',
  };
}

/**
 * What an insert from a machine image must carry: GCE replaces an image's field with the request's,
 * so each is the image's value merged with ours (its startup script and firewall tags stay).
 */
export function overrides(props: IInstanceProperties, p: Placement) {
  const metadata = new Map((props.metadata?.items ?? []).map((i) => [i.key ?? '', i.value ?? '']));
  for (const [k, v] of Object.entries(p.metadata)) metadata.set(k, v);
  const tags = [...new Set([...(props.tags?.items ?? []), ...p.tags])];
  const nics = (props.networkInterfaces ?? [{}]).map((nic: INetworkInterface, i) => {
    const own = pick(nic, ['network', 'subnetwork', 'nicType', 'stackType', 'queueCount']);
    if (i > 0) return own;
    // An interface without accessConfigs has no external IP; the image's internal IP is never reused.
    const nat = { type: 'ONE_TO_ONE_NAT', name: 'External NAT', ...pick(nic.accessConfigs?.[0], ['networkTier']) };
    return { ...own, ...(p.subnetwork ? { subnetwork: p.subnetwork } : {}), ...(p.externalIp ? { accessConfigs: [nat] } : {}) };
  });
  return {
    metadata: { items: [...metadata].map(([key, value]) => ({ key, value })) },
    ...(tags.length ? { tags: { items: tags } } : {}),
    networkInterfaces: nics,
    ...(p.serviceAccount ? { serviceAccounts: [{ email: p.serviceAccount.email, scopes: p.serviceAccount.scopes }] } : {}),
    scheduling: withRunLimit(props.scheduling, p.maxRunSeconds),
  };
}
