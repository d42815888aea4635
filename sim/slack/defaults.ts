import type { FakeChannel, FakeUser, Identity } from './types.ts';

export const DEFAULT_TOKEN = 'xoxb-local-fake';

export const DEFAULT_IDENTITY: Identity = {
  teamId: 'T_DEMO',
  teamName: 'Demo Workspace',
  teamDomain: 'demo-workspace',
  botUserId: 'U_DEMOBOT',
  botId: 'B_DEMOBOT',
  appId: 'A_DEMOVM',
  botName: 'demo-vm',
  token: DEFAULT_TOKEN,
  verificationToken: 'fake-verification-token',
};

export const DEFAULT_USERS: FakeUser[] = [
  { id: 'U_ALICE', name: 'alice', real_name: 'Alice Adams', tz: 'Europe/Berlin', title: 'Sales Engineer' },
  { id: 'U_BOB', name: 'bob', real_name: 'Bob Brown', tz: 'America/New_York', title: 'Sales Engineer' },
  { id: 'U_MANAGER', name: 'maria', real_name: 'Maria Manager', tz: 'Europe/London', title: 'SE Manager (approver)' },
  { id: 'U_ADMIN', name: 'adam', real_name: 'Adam Admin', tz: 'America/Los_Angeles', title: 'Admin', is_admin: true },
];

export type ChannelSeed = Pick<FakeChannel, 'id' | 'name'> & Partial<Pick<FakeChannel, 'is_private' | 'botMember'>>;

export const DEFAULT_CHANNELS: ChannelSeed[] = [
  { id: 'C_GENERAL', name: 'general', botMember: true },
  { id: 'C_DEMOS', name: 'demo-vm', botMember: true },
  { id: 'C_APPROVALS', name: 'demo-approvals', botMember: true },
  { id: 'C_RANDOM', name: 'random', botMember: false },
  { id: 'G_PRIVATE', name: 'secret-deals', is_private: true, botMember: false },
];

export const DEFAULT_USERGROUPS: Record<string, string[]> = {
  S_APPROVERS: ['U_MANAGER'],
  S_ADMINS: ['U_ADMIN'],
};
