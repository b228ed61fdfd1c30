import { decodeGlobalID } from '@pothos/plugin-relay';
import type { Actor } from '../server/ledger/actor.ts';
import { InvalidInput } from '../server/ledger/errors.ts';

/** Object IDs in the API are Relay global IDs; the ledger works with the rows' own IDs. */
/** Every row's ID is a UUID; anything else inside a global ID is forged or corrupted. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function rawId(globalId: string, typename: string, field: string): string {
  try {
    const decoded = decodeGlobalID(globalId);
    if (decoded.typename === typename && UUID.test(decoded.id)) return decoded.id;
  } catch {
    // fall through to the typed error
  }
  throw new InvalidInput(field, `${field} is not a valid ${typename} ID.`);
}

export function optionalRawId(globalId: string | null | undefined, typename: string, field: string) {
  return globalId == null ? globalId : rawId(globalId, typename, field);
}

export { globalId } from '../server/global-id.ts';

/** `node(id)` and every lookup only ever find rows of the caller's own team. */
export function inTeam(id: string, ctx: { actor: { teamId: string } | null }) {
  return { id, teamId: ctx.actor?.teamId ?? '' };
}

/**
 * `node(id)` for what only OWNER/ADMIN may list (API keys, webhook endpoints, invitations):
 * trainers and API keys find nothing, exactly as with other teams' IDs.
 */
export function inTeamForManagers(id: string, ctx: { actor: Actor | null }) {
  const manager = ctx.actor?.kind === 'MEMBER' && (ctx.actor.role === 'OWNER' || ctx.actor.role === 'ADMIN');
  return { id, teamId: manager ? (ctx.actor?.teamId ?? '') : '' };
}
