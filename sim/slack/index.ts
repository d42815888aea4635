/** The fake Slack: Web API server, its state model, Block Kit limits, and inbound request builders. */
export { FakeSlack, RESPONSE_URL_METHOD, UPLOAD_METHOD, type ExtraHandler, type FakeSlackOptions } from './server.ts';
export type { FailSpec, RateLimitMode, WaitOptions } from './recorder.ts';
export { DEFAULT_CHANNELS, DEFAULT_IDENTITY, DEFAULT_TOKEN, DEFAULT_USERGROUPS, DEFAULT_USERS, type ChannelSeed } from './defaults.ts';
export { Workspace, type SlackSnapshot } from './store/workspace.ts';
export { MAX_MODAL_STACK, publicView } from './store/views.ts';
export { RESPONSE_URL_MAX_USES, RESPONSE_URL_TTL_MS, TRIGGER_TTL_MS, type ResponseUrlOptions } from './store/grants.ts';
export * from './block-kit-limits.ts';
export * from './signing.ts';
export * from './inbound/common.ts';
export { actionPayload, findElement, stateValues, type Choice, type FoundElement } from './inbound/elements.ts';
export * from './inbound/interactive.ts';
export * from './inbound/events.ts';
export * from './inbound/deliver.ts';
export * from './inbound/view-ack.ts';
export type * from './types.ts';
export * from './inbound/command-ack.ts';
