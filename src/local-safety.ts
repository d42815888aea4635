import type { Config } from './config.ts';

/**
 * The local workspace has no login: anyone who reaches its page acts as any user. These checks keep
 * it where that is harmless (this machine, simulated or emulated GCE) unless someone opts in.
 */

export const REAL_GCP_OPT_IN = 'ALLOW_LOCAL_WORKSPACE_WITH_REAL_GCP';

/** True when GCE calls go to a real project (not the simulator, not an http:// emulator). */
export function usesRealGcp(config: Config): boolean {
  return config.gce.mode === 'gce';
}

/** Why the local workspace must not start with this configuration, or undefined when it may. */
export function localWorkspaceRefusal(config: Config): string | undefined {
  if (config.slack.mode !== 'local' || !usesRealGcp(config) || config.allowLocalWorkspaceWithRealGcp) return undefined;
  return (
    `Refusing to start the local workspace (no login) against the real GCP project ${config.gce.project}: ` +
    `anyone who can open its page could create and delete VMs there. Configure Slack (SLACK_BOT_TOKEN, ` +
    `SLACK_SIGNING_SECRET), use an http:// emulator in GCE_API_ENDPOINT, or set ${REAL_GCP_OPT_IN}=true to do it anyway.`
  );
}

/** True when the listening address only accepts connections from this machine. */
export function isLoopback(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  return a === 'localhost' || a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
}
