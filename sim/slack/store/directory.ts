import type { Clock } from '../../../src/platform/clock.ts';
import type { ChannelSeed } from '../defaults.ts';
import { randomId } from '../ids.ts';
import type { FakeChannel, FakeUser } from '../types.ts';

/** Users, channels, IMs and user groups of the fake workspace. */
export class Directory {
  readonly users = new Map<string, FakeUser>();
  readonly channels = new Map<string, FakeChannel>();
  readonly usergroups = new Map<string, string[]>();
  /** user id → IM channel id with the bot. */
  readonly #ims = new Map<string, string>();
  readonly #clock: Clock;

  constructor(clock: Clock, users: FakeUser[], channels: ChannelSeed[], usergroups: Record<string, string[]>) {
    this.#clock = clock;
    for (const u of users) this.users.set(u.id, { ...u });
    for (const c of channels) this.addChannel(c);
    for (const [id, members] of Object.entries(usergroups)) this.usergroups.set(id, [...members]);
  }

  addChannel(seed: ChannelSeed): FakeChannel {
    const channel: FakeChannel = {
      id: seed.id,
      name: seed.name,
      is_private: seed.is_private ?? seed.id.startsWith('G'),
      is_im: false,
      created: Math.floor(this.#clock.now().getTime() / 1000),
      botMember: seed.botMember ?? false,
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** The bot's IM with a user, opened on first use like conversations.open does. */
  openIm(userId: string): { channel: FakeChannel; alreadyOpen: boolean } {
    const existing = this.#ims.get(userId);
    if (existing !== undefined) {
      const channel = this.channels.get(existing);
      if (channel) return { channel, alreadyOpen: true };
    }
    const channel: FakeChannel = {
      id: randomId('D'),
      name: userId,
      is_private: true,
      is_im: true,
      user: userId,
      created: Math.floor(this.#clock.now().getTime() / 1000),
      botMember: true,
    };
    this.channels.set(channel.id, channel);
    this.#ims.set(userId, channel.id);
    return { channel, alreadyOpen: false };
  }

  /** Channels and IMs made since the seed (the users and groups are the seed's). */
  snapshot(): { channels: FakeChannel[] } {
    return { channels: [...this.channels.values()] };
  }

  restore(saved: { channels: FakeChannel[] }): void {
    for (const c of saved.channels) {
      this.channels.set(c.id, c);
      if (c.is_im && c.user) this.#ims.set(c.user, c.id);
    }
  }

  imOf(userId: string): string | undefined {
    return this.#ims.get(userId);
  }

  isUserId(id: string): boolean {
    return /^[UW]/.test(id) && this.users.has(id);
  }

  /** conversations.info's channel object. */
  channelInfo(c: FakeChannel): Record<string, unknown> {
    if (c.is_im) {
      return { id: c.id, created: c.created, is_im: true, is_org_shared: false, user: c.user, is_user_deleted: false };
    }
    return {
      id: c.id,
      name: c.name,
      name_normalized: c.name,
      is_channel: !c.is_private,
      is_group: c.is_private,
      is_im: false,
      is_mpim: false,
      is_private: c.is_private,
      is_archived: false,
      is_general: c.name === 'general',
      is_shared: false,
      is_org_shared: false,
      is_ext_shared: false,
      is_member: c.botMember,
      created: c.created,
      creator: 'U_ADMIN',
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
    };
  }

  /** users.info's user object, with tz_label / tz_offset computed for today. */
  userInfo(u: FakeUser, teamId: string): Record<string, unknown> {
    const { label, offsetSec } = tzDetails(u.tz, this.#clock.now());
    return {
      id: u.id,
      team_id: teamId,
      name: u.name,
      deleted: u.deleted ?? false,
      real_name: u.real_name,
      tz: u.tz,
      tz_label: label,
      tz_offset: offsetSec,
      is_admin: u.is_admin ?? false,
      is_owner: false,
      is_bot: u.is_bot ?? false,
      is_app_user: false,
      updated: 1700000000,
      profile: {
        title: u.title ?? '',
        real_name: u.real_name,
        real_name_normalized: u.real_name,
        display_name: u.name,
        display_name_normalized: u.name,
        email: u.email ?? `${u.name}@example.com`,
        team: teamId,
        // Slack's default picture for someone who uploaded none: a Gravatar URL per size.
        ...Object.fromEntries(
          [24, 32, 48, 72, 192].map((px) => [`image_${px}`, `https://secure.gravatar.com/avatar/${u.id.toLowerCase()}?s=${px}&d=identicon`]),
        ),
      },
    };
  }
}

function tzDetails(tz: string, at: Date): { label: string; offsetSec: number } {
  const part = (timeZoneName: 'long' | 'longOffset') =>
    new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const offset = /GMT([+-])(\d{2}):(\d{2})/.exec(part('longOffset'));
  const offsetSec = offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 3600 + Number(offset[3]) * 60) : 0;
  return { label: part('long'), offsetSec };
}
