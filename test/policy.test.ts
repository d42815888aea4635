import { describe, expect, test } from 'vitest';
import { can, type Action, type Actor, type Resource } from '../src/policy.ts';

/**
 * The authorization matrix: every action the product offers × who asks. `Y` allowed, `-` refused.
 * Columns: the resource's owner, another user, an approver (not owner), an admin (not owner).
 */
const OWNER = 'U_OWNER';
const actors: Record<'owner' | 'other' | 'approver' | 'admin', Actor> = {
  owner: { userId: OWNER, isAdmin: false, isApprover: false },
  other: { userId: 'U_OTHER', isAdmin: false, isApprover: false },
  approver: { userId: 'U_APPROVER', isAdmin: false, isApprover: true },
  admin: { userId: 'U_ADMIN', isAdmin: true, isApprover: true },
};

const demo: Resource = { kind: 'demo', ownerId: OWNER };
const privateImage: Resource = { kind: 'image', ownerId: OWNER, visibility: 'private' };
const sharedImage: Resource = { kind: 'image', ownerId: OWNER, visibility: 'shared' };
const officialImage: Resource = { kind: 'image', ownerId: null, visibility: 'official' };
const shareRequest: Resource = { kind: 'share_request', requesterId: OWNER, imageOwnerId: OWNER };
/** The requester handed the pending image to the approver: the approver now owns it. */
const handedToApprover: Resource = { kind: 'share_request', requesterId: OWNER, imageOwnerId: 'U_APPROVER' };
const comment: Resource = { kind: 'comment', authorId: OWNER };
const ownUsage: Resource = { kind: 'usage', subjectUserId: OWNER };
const org: Resource = { kind: 'org' };

//                      action           resource        owner other approver admin
const MATRIX: Array<[Action, Resource, string, string]> = [
  ['launch', officialImage, 'YYYY', 'official images: anyone'],
  ['launch', sharedImage, 'YYYY', 'shared images: anyone'],
  ['launch', privateImage, 'Y--Y', 'private images: owner or admin'],
  ['view', demo, 'Y--Y', 'its status card, as a link unfurls'],
  ['launch', demo, 'Y--Y', 'again, in another zone'],
  ['stop', demo, 'Y--Y', ''],
  ['start', demo, 'Y--Y', ''],
  ['delete', demo, 'Y--Y', ''],
  ['save', demo, 'Y--Y', ''],
  ['extend', demo, 'Y--Y', ''],
  ['transfer', demo, 'Y--Y', ''],
  ['cancel_booking', demo, 'Y-YY', 'owner, approvers, admins'],
  ['resume', privateImage, 'Y--Y', ''],
  ['share', privateImage, 'Y---', 'only the owner asks'],
  ['share', sharedImage, '----', 'already shared'],
  ['approve', shareRequest, '--YY', 'approvers, never the requester'],
  ['deny', shareRequest, '--YY', ''],
  ['approve', handedToApprover, '---Y', "never the image's current owner"],
  ['deny', handedToApprover, '---Y', ''],
  ['withdraw', shareRequest, 'Y--Y', 'the requester or an admin'],
  ['unshare', sharedImage, 'Y--Y', ''],
  ['unshare', privateImage, '----', 'not shared'],
  ['export', privateImage, 'Y--Y', ''],
  ['export', officialImage, '---Y', 'official images: admins'],
  ['delete_image', privateImage, 'Y--Y', ''],
  ['comment', sharedImage, 'YYYY', ''],
  ['comment', privateImage, 'Y--Y', ''],
  ['comment_edit', comment, 'Y--Y', 'author or admin'],
  ['view_usage', ownUsage, 'Y-YY', 'own, approvers, admins'],
  ['digest_admin', org, '---Y', ''],
  ['price_admin', org, '---Y', ''],
  ['budget_admin', org, '---Y', ''],
  ['approver_admin', org, '---Y', ''],
  ['fleet_admin', org, '---Y', ''],
  ['audit_view', org, '---Y', ''],
];

describe('can(actor, action, resource)', () => {
  const cells = MATRIX.flatMap(([action, resource, expected, why]) =>
    (['owner', 'other', 'approver', 'admin'] as const).map((who, i) => ({ action, resource, who, allowed: expected[i] === 'Y', why })),
  );
  test.each(cells)('$action on $resource.kind ($resource.visibility) by $who → $allowed', ({ action, resource, who, allowed }) => {
    const decision = can(actors[who], action, resource);
    expect(decision.allowed).toBe(allowed);
    if (!allowed) expect(decision.reason).toMatch(/\w/);
  });

  test('a requester who is also an approver still cannot decide their own request', () => {
    const self: Actor = { userId: OWNER, isAdmin: true, isApprover: true };
    expect(can(self, 'approve', shareRequest).allowed).toBe(false);
  });

  test('an admin who owns the image now (handed over) cannot decide its request either', () => {
    const owner: Actor = { userId: 'U_NEW_OWNER', isAdmin: true, isApprover: true };
    const request: Resource = { kind: 'share_request', requesterId: OWNER, imageOwnerId: 'U_NEW_OWNER' };
    expect(can(owner, 'approve', request)).toMatchObject({ allowed: false, reason: expect.stringContaining('you own') });
    expect(can(owner, 'deny', request).allowed).toBe(false);
  });

  test('actions that do not apply to a resource are refused, not allowed by default', () => {
    expect(can(actors.admin, 'approve', demo).allowed).toBe(false);
    expect(can(actors.owner, 'digest_admin', demo).allowed).toBe(false);
  });
});
