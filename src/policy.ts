/**
 * Who may do what: one pure function, tested as a matrix (test/policy.test.ts). Services ask it
 * before they act, so the rules live here.
 */

export type Action =
  | 'view'
  | 'launch'
  | 'stop'
  | 'start'
  | 'delete'
  | 'save'
  | 'extend'
  | 'resume'
  | 'transfer'
  | 'keep'
  | 'cancel_booking'
  | 'share'
  | 'approve'
  | 'deny'
  | 'unshare'
  | 'withdraw'
  | 'export'
  | 'delete_image'
  | 'comment'
  | 'comment_edit'
  | 'view_usage'
  | 'digest_admin'
  | 'price_admin'
  | 'budget_admin'
  | 'publish'
  | 'fleet_admin'
  | 'audit_view'
  | 'approver_admin';

export interface Actor {
  userId: string;
  isAdmin: boolean;
  isApprover: boolean;
}

/** What the action is on. Kinds carry just what the rules look at. */
export type Resource =
  | { kind: 'catalog' }
  | { kind: 'demo'; ownerId: string }
  | { kind: 'image'; ownerId: string | null; visibility: 'private' | 'pending' | 'shared' | 'official' }
  /** imageOwnerId: the image's owner now (it may have changed hands since the request); null if it is gone. */
  | { kind: 'share_request'; requesterId: string; imageOwnerId: string | null }
  | { kind: 'comment'; authorId: string }
  | { kind: 'usage'; subjectUserId: string | 'all' }
  | { kind: 'org' };

export interface Decision {
  allowed: boolean;
  /** Why not, in words for the user. */
  reason?: string;
}

const allow: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

export function can(actor: Actor, action: Action, resource: Resource): Decision {
  switch (resource.kind) {
    case 'catalog':
      if (action === 'publish') return actor.isAdmin ? allow : deny('Only an admin can publish images to the catalog.');
      return action === 'launch' ? allow : deny('That action does not apply to the catalog.');

    case 'demo': {
      const own = resource.ownerId === actor.userId;
      // launch: the same demo again (another zone after a stockout); view: its status card (link unfurls).
      if (!['view', 'launch', 'stop', 'start', 'delete', 'save', 'extend', 'transfer', 'keep', 'cancel_booking'].includes(action))
        return deny('That action does not apply to a demo.');
      if (own || actor.isAdmin) return allow;
      // A booking holds budget and pool capacity: approvers may give one up too (nothing has started).
      if (action === 'cancel_booking' && actor.isApprover) return allow;
      return deny(`Only the demo's owner (<@${resource.ownerId}>) or an admin can ${action} it.`);
    }

    case 'image': {
      const own = resource.ownerId !== null && resource.ownerId === actor.userId;
      const visible = own || resource.visibility === 'shared' || resource.visibility === 'official';
      switch (action) {
        case 'launch':
        case 'comment':
          return visible || actor.isAdmin ? allow : deny('That image is private to its owner.');
        case 'resume':
          return own || actor.isAdmin ? allow : deny('Only the owner of a saved image can resume it.');
        case 'share':
          if (!own) return deny('Only the owner of an image can ask to share it.');
          return resource.visibility === 'private' ? allow : deny(`The image is already ${resource.visibility}.`);
        case 'unshare':
          if (resource.visibility !== 'shared') return deny('The image is not shared.');
          return own || actor.isAdmin ? allow : deny("Only the image's owner or an admin can unshare it.");
        case 'export':
        case 'delete_image':
        case 'transfer':
        case 'keep':
          return own || actor.isAdmin ? allow : deny(`Only the image's owner or an admin can ${action === 'delete_image' ? 'delete' : action} it.`);
        default:
          return deny('That action does not apply to an image.');
      }
    }

    case 'share_request':
      if (action === 'withdraw') {
        return resource.requesterId === actor.userId || actor.isAdmin ? allow : deny('Only the person who asked (or an admin) can withdraw a share request.');
      }
      if (action !== 'approve' && action !== 'deny') return deny('That action does not apply to a share request.');
      if (!actor.isApprover) return deny('Only an approver can decide share requests.');
      if (resource.requesterId === actor.userId) return deny('You cannot decide your own share request; another approver has to.');
      if (resource.imageOwnerId === actor.userId) return deny('You cannot decide a share request for an image you own; another approver has to.');
      return allow;

    case 'comment':
      if (action !== 'comment_edit') return deny('That action does not apply to a comment.');
      return resource.authorId === actor.userId || actor.isAdmin ? allow : deny('Only the author or an admin can change a comment.');

    case 'usage':
      if (action !== 'view_usage') return deny('That action does not apply to usage.');
      if (resource.subjectUserId === actor.userId || actor.isAdmin || actor.isApprover) return allow;
      return deny("Only approvers and admins can see other people's usage.");

    case 'org':
      if (['digest_admin', 'price_admin', 'budget_admin', 'fleet_admin', 'audit_view', 'publish', 'approver_admin'].includes(action)) {
        return actor.isAdmin ? allow : deny('Only an admin can do that.');
      }
      return deny('That action does not apply here.');
  }
}
