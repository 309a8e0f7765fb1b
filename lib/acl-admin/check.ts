/**
 * `POST /acl/check`: the decision of the engine that guards every endpoint (lib/acl `aclFor` over the same
 * ACL source), for the caller or, for a caller holding `acl:r`, for another subject DN.
 */
import { aclFor, type AclSource } from '../acl/acl-source.js';
import type { Decision } from '../acl/engine.js';
import { parseAction, type Action } from '../acl/permissions.js';
import type { Actor, AuthorizeRequest } from '../http/types.js';
import { UnknownReferenceError } from './errors.js';
import type { CheckBody } from './schemas.js';

export interface CheckDeps {
  /** The caller's ACL view for this request (the platform's `aclOf(actor)`). */
  acl: AclSource;
  /** The platform's own authorization of the caller (API key scopes included). */
  authorize(actor: Actor, req: AuthorizeRequest): Promise<Decision>;
  /** The subject's entry (its uid) or null, and its groups, as read at login. */
  findSubject(dn: string): Promise<{ dn: string; uid?: string } | null>;
  groupsOf(dn: string, uid: string): Promise<string[]>;
}

export interface CheckResult {
  allowed: boolean;
  reason: string;
  subject: string;
  action: Action;
  object_type: string;
  object_dn?: string;
  attribute?: string;
}

export function accessRequest(body: CheckBody): AuthorizeRequest {
  return {
    action: parseAction(body.action) as Action,
    objectType: body.object_type,
    ...(body.object_dn ? { objectDn: body.object_dn } : {}),
    ...(body.owner_dn ? { ownerDn: body.owner_dn } : {}),
  };
}

/** `self`: check the caller (the subject is absent or the caller's own DN). Otherwise the subject DN must exist. */
export async function checkAccess(deps: CheckDeps, actor: Actor, body: CheckBody, self: boolean): Promise<CheckResult> {
  const req = accessRequest(body);
  let subject = actor.dn;
  let decision: Decision;
  if (self) {
    decision = await deps.authorize(actor, req);
  } else {
    const entry = await deps.findSubject(body.subject!);
    if (!entry) {
      throw new UnknownReferenceError('SUBJECT_NOT_FOUND', 'body.subject', body.subject!, `No directory entry '${body.subject}'`);
    }
    subject = entry.dn;
    const groups = await deps.groupsOf(entry.dn, entry.uid ?? '');
    decision = await aclFor(deps.acl, { dn: entry.dn, groups }, req);
  }
  return {
    allowed: decision.allowed,
    reason: decision.reason,
    subject,
    action: req.action,
    object_type: req.objectType,
    ...(req.objectDn ? { object_dn: req.objectDn } : {}),
    ...(body.attribute ? { attribute: body.attribute } : {}),
  };
}
