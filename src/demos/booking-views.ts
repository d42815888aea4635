import type { Button, KnownBlock, View } from '@slack/types';
import { button, confirm, context, escapeMrkdwn, modal, section, slackDate, truncate } from '../platform/blocks.ts';
import { CatalogIds } from '../catalog/ids.ts';
import { DemoIds } from './ids.ts';
import type { Demo } from './store.ts';

/** Bookings in Block Kit: the answer to a booking, its row in Home and lists, the reminder. */

export interface Booking {
  demo: Demo;
  title: string;
}

/** `Tue 9:00`-style, localised by Slack for each reader: `Tomorrow at 9:00 AM`. */
export const bookedFor = (readyBy: Date) => slackDate(readyBy, '{date_short_pretty} {time}');
/** The hour alone (`9:00 AM`), as in "ready for your 9:00". */
export const bookedTime = (readyBy: Date) => slackDate(readyBy, '{time}');

export function cancelBookingButton(demoId: string): Button {
  return button('Cancel', DemoIds.cancelBooking, demoId, {
    confirm: confirm('Cancel this booking?', 'Nothing has been started for it yet; nothing is charged.', 'Cancel booking', 'danger'),
  });
}

/** After a failure at start: book the image again (its launch modal, with "Ready by"). */
export function anotherTimeButton(imageId: string): Button {
  return button('Book another time', CatalogIds.launch, imageId);
}

/** The answer to a booking (`/demo book`, the launch modal): the exact time understood, when it starts, and Cancel. */
export function bookedAnswer(b: Booking, understood: string | null): { text: string; blocks: KnownBlock[] } {
  const { demo } = b;
  const title = escapeMrkdwn(b.title);
  const readyBy = demo.readyBy!;
  const lines = [
    `:calendar: Booked *${title}* ready by ${slackDate(readyBy, '{date_long_pretty} {time}')}${understood ? ` (${escapeMrkdwn(understood)})` : ''}.`,
    demo.state === 'booked' && demo.launchAt
      ? `I'll start it at ${slackDate(demo.launchAt, '{time}')} so that it is ready in time, and DM you when it is. Its ${hoursOf(demo)} start at ${bookedTime(readyBy)}; nothing is charged before it starts.`
      : `Its launch takes about that long, so I am starting it now; I'll DM you when it is ready.`,
  ];
  const blocks: KnownBlock[] = [
    section(lines.join('\n'), demo.state === 'booked' ? cancelBookingButton(demo.id) : undefined),
    context(`\`${demo.displayName}\` · ${demo.zone} · ${demo.machineType}`),
  ];
  return { text: `Booked ${title} ready by ${slackDate(readyBy)}`, blocks };
}

function hoursOf(demo: Demo): string {
  const h = Math.round((demo.expiresAt.getTime() - demo.readyBy!.getTime()) / 3_600_000);
  return `${h} hour${h === 1 ? '' : 's'}`;
}

/** What the launch modal turns into once a booking is made. */
export function bookedModal(title: string, readyBy: Date): View {
  return modal({
    title: 'Launch a demo',
    blocks: [
      section(
        `:calendar: *${escapeMrkdwn(title)}* is booked, ready by ${slackDate(readyBy, '{date_long_pretty} {time}')}. I'll start it in time and DM you when it is ready.`,
      ),
      context('Cancel it from my Home tab or `/demo list` until it starts.'),
    ],
  });
}

/** "Booked: Acme CRM, Tomorrow 9:00 AM — Cancel" (Home, `/demo list`). */
export function bookingBlocks(b: Booking, opts: { cancel: boolean }): KnownBlock[] {
  const line = `:calendar: Booked: *${escapeMrkdwn(truncate(b.title, 100))}*, ${bookedFor(b.demo.readyBy!)} · starts ${slackDate(b.demo.launchAt!, '{time}')} · \`${b.demo.displayName}\` · ${b.demo.zone}`;
  return [section(line, opts.cancel ? cancelBookingButton(b.demo.id) : undefined)];
}

/** The admin fleet's upcoming bookings. */
export function upcomingBookingsBlocks(bookings: Booking[]): KnownBlock[] {
  if (!bookings.length) return [];
  const lines = bookings.map(
    (b) =>
      `• ${bookedFor(b.demo.readyBy!)} — *${escapeMrkdwn(truncate(b.title, 60))}* for <@${b.demo.ownerId}> · ${b.demo.machineType} in ${b.demo.zone} · starts ${slackDate(b.demo.launchAt!, '{time}')}`,
  );
  return [section(truncate(`*Upcoming bookings* (${bookings.length})\n${lines.join('\n')}`, 3000))];
}

/** 10 minutes before a booking's time, when its demo has not been opened. */
export function bookingReminder(r: { demo: Demo; title: string; appUrl: string | null }): { text: string; blocks: KnownBlock[] } {
  const title = escapeMrkdwn(r.title);
  const when = bookedTime(r.demo.readyBy!);
  const ready = r.demo.state === 'running';
  const line = ready
    ? `:alarm_clock: Your *${title}* is ready for your ${when} (in 10 minutes).`
    : `:alarm_clock: Your *${title}* is booked for ${when} (in 10 minutes). It is starting; I'll DM you the moment it is ready.`;
  const blocks: KnownBlock[] = [section(line)];
  if (ready && r.appUrl) blocks.push({ type: 'actions', elements: [button('Open the app', DemoIds.openLink, r.demo.id, { url: r.appUrl, style: 'primary' })] });
  blocks.push(context(`\`${r.demo.displayName}\` · ${r.demo.zone} · ${r.demo.machineType}`));
  return { text: `${title}: your ${when} is in 10 minutes`, blocks };
}
