import { EventEmitter } from 'node:events';
import type { Clock } from '../../../src/platform/clock.ts';
import type { ChannelSeed } from '../defaults.ts';
import { TsGenerator } from '../ids.ts';
import type { FakeSlackEvents, FakeUser, Identity, StoredFile } from '../types.ts';
import { Directory } from './directory.ts';
import { Grants } from './grants.ts';
import { MessageStore } from './messages.ts';
import { ViewStore } from './views.ts';

export interface WorkspaceSeed {
  clock: Clock;
  identity: Identity;
  users: FakeUser[];
  channels: ChannelSeed[];
  usergroups: Record<string, string[]>;
}

export interface SlackSnapshot {
  directory: ReturnType<Directory['snapshot']>;
  messages: ReturnType<MessageStore['snapshot']>;
  homes: ReturnType<ViewStore['snapshot']>;
  files: StoredFile[];
}

/** The whole state of the fake workspace, independent of HTTP, with one event emitter for every change. */
export class Workspace {
  readonly events = new EventEmitter<FakeSlackEvents>();
  readonly identity: Identity;
  readonly files = new Map<string, StoredFile>();
  directory: Directory;
  readonly messages: MessageStore;
  readonly views: ViewStore;
  readonly grants: Grants;
  readonly #seed: WorkspaceSeed;

  constructor(seed: WorkspaceSeed) {
    this.#seed = seed;
    // waitFor() and a local page's live views each listen for a while; more than 10 is normal.
    this.events.setMaxListeners(100);
    this.identity = seed.identity;
    this.directory = Workspace.#directory(seed);
    this.messages = new MessageStore(new TsGenerator(seed.clock), this.events);
    this.views = new ViewStore(seed.clock, this.events, seed.identity);
    this.grants = new Grants(seed.clock, seed.identity.teamId);
  }

  /** What local mode keeps across a restart: channels, messages, Home tabs and files. */
  snapshot(): SlackSnapshot {
    return { directory: this.directory.snapshot(), messages: this.messages.snapshot(), homes: this.views.snapshot(), files: [...this.files.values()] };
  }

  restore(saved: SlackSnapshot): void {
    this.directory.restore(saved.directory);
    this.messages.restore(saved.messages);
    this.views.restore(saved.homes);
    for (const f of saved.files) this.files.set(f.id, f);
  }

  /** Back to the seeded users and channels, with no messages, views or grants. */
  reset(): void {
    this.directory = Workspace.#directory(this.#seed);
    this.messages.clear();
    this.views.clear();
    this.grants.clear();
    this.files.clear();
  }

  static #directory(seed: WorkspaceSeed): Directory {
    const bot: FakeUser = { id: seed.identity.botUserId, name: seed.identity.botName, real_name: seed.identity.botName, tz: 'UTC', is_bot: true };
    return new Directory(seed.clock, [...seed.users, bot], seed.channels, seed.usergroups);
  }
}
