import type { Capability } from '../capability.ts';
import { refreshHome } from './service.ts';
import { registerHome } from './slack.ts';

export const homeCapability: Capability = {
  name: 'home',
  // In both roles: a job in the worker changes a demo as often as a click in the web role does.
  subscribe(ctx) {
    for (const event of ['demos-changed', 'images-changed', 'fleet-changed'] as const) ctx.events.on(event, ({ userId }) => refreshHome(ctx, userId));
  },
  web: registerHome,
};
