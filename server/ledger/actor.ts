import type { Role } from '../generated/prisma/enums.ts';
import { Forbidden } from './errors.ts';

/** Who is acting: every ledger entry records it, and every rule checks it. */
export type Actor =
  | { kind: 'MEMBER'; teamId: string; memberId: string; userId: string; role: Role }
  | { kind: 'API_KEY'; teamId: string; apiKeyId: string; canWrite: boolean }
  | { kind: 'SYSTEM'; teamId: string };

/** Day-to-day work (clients, packages, credits, sessions): any member, or a read+write key. */
export function requireWrite(actor: Actor): void {
  if (actor.kind === 'API_KEY' && !actor.canWrite) {
    throw new Forbidden('This API key is read-only.');
  }
}

/** Settings, members, templates, session types, API keys: OWNER and ADMIN only. */
export function requireManager(actor: Actor): asserts actor is Extract<Actor, { kind: 'MEMBER' }> {
  if (actor.kind !== 'MEMBER' || (actor.role !== 'OWNER' && actor.role !== 'ADMIN')) {
    throw new Forbidden('Only the team owner or an admin can do that.');
  }
}

export function actorColumns(actor: Actor) {
  return {
    actorKind: actor.kind,
    actorMemberId: actor.kind === 'MEMBER' ? actor.memberId : null,
    actorApiKeyId: actor.kind === 'API_KEY' ? actor.apiKeyId : null,
  };
}
