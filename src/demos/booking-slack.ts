import type { BlockAction } from '@slack/bolt';
import type { Registration } from '../capability.ts';
import * as catalog from '../catalog/service.ts';
import { escapeMrkdwn } from '../platform/blocks.ts';
import { userProfile } from '../platform/user-profiles.ts';
import { pickOne } from '../resolve.ts';
import { cancelBooking } from './booking.ts';
import { bookedAnswer } from './booking-views.ts';
import { inZone, parseWhen, WHEN_EXAMPLES } from './booking-when.ts';
import { DemoIds } from './ids.ts';
import * as service from './service.ts';

/**
 * `<image words> <when words>`: the shortest image prefix whose remainder reads as a time
 * ("acme crm tomorrow 9:00" → "acme crm" + "tomorrow 9:00").
 */
export function splitBooking(rest: string, now: Date, timeZone: string): { image: string; when: string; at: Date } | null {
  const words = rest.trim().split(/\s+/).filter(Boolean);
  for (let i = 1; i < words.length; i++) {
    const when = words.slice(i).join(' ');
    const read = parseWhen(when, now, timeZone);
    if ('at' in read) return { image: words.slice(0, i).join(' '), when, at: read.at };
  }
  return null;
}

export function registerBookings({ ctx, bolt, router }: Registration): void {
  router.add({
    name: 'book',
    usage: '/demo book <image> <when>',
    summary: 'have a demo ready at a time you say (`tomorrow 9:00`, `in 2h`, `mon 14:30`), started just in time',
    run: async (input, respond) => {
      // The user's own zone (Slack's profile), so "tomorrow 9:00" is their 9:00.
      const timeZone = (await userProfile(ctx, input.userId))?.tz ?? ctx.config.orgTimeZone;
      const now = ctx.clock.now();
      const split = splitBooking(input.rest, now, timeZone);
      if (!split) {
        await respond({
          response_type: 'ephemeral',
          text: `Say which image and when: \`/demo book acme crm tomorrow 9:00\`. Times I read (in ${timeZone}): ${WHEN_EXAMPLES}.`,
        });
        return;
      }
      const candidates = await catalog.imagesNamed(ctx, input.userId, split.image);
      const image = await pickOne(respond, split.image, candidates, { what: 'image', rerun: (id) => `book ${id} ${split.when}`, browse: 'browse' });
      if (!image) return;
      const { picked } = await service.launchOptions(ctx, image, input.userId);
      const { demo } = await service.launch(ctx, await ctx.actor(input.userId), {
        imageId: image.id,
        zone: picked.zone,
        machineType: picked.machineType,
        ttlHours: picked.ttl,
        // The trigger id is unique per command: Slack's retry of the same command books once.
        submissionKey: `book:${input.triggerId}`,
        readyBy: split.at,
      });
      if (!demo.readyBy) {
        await respond({
          response_type: 'ephemeral',
          text: `:rocket: That is now: launching *${escapeMrkdwn(image.title)}* right away. I'll DM you when it is ready.`,
        });
        return;
      }
      await respond({ response_type: 'ephemeral', ...bookedAnswer({ demo, title: image.title }, inZone(split.at, timeZone)) });
    },
  });

  bolt.action<BlockAction>(DemoIds.cancelBooking, async ({ ack, body, action, respond }) => {
    await ack();
    const demo = await cancelBooking(ctx, await ctx.actor(body.user.id), action.type === 'button' ? (action.value ?? '') : '');
    // On a message (the booking's answer) the answer is replaced; the Home tab re-renders by itself.
    if (body.response_url)
      await respond({
        response_type: 'ephemeral',
        replace_original: true,
        text: `:wastebasket: Booking of \`${demo.displayName}\` cancelled. Nothing was started.`,
      });
  });
}
