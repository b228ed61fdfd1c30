import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { InvalidInput } from '../server/ledger/errors.ts';

/** Object IDs in the API are Relay global IDs; the ledger works with the rows' own IDs. */
export function rawId(globalId: string, typename: string, field: string): string {
  try {
    const decoded = decodeGlobalID(globalId);
    if (decoded.typename === typename && decoded.id.length > 0) return decoded.id;
  } catch {
    // fall through to the typed error
  }
  throw new InvalidInput(field, `${field} is not a valid ${typename} ID.`);
}

export function optionalRawId(globalId: string | null | undefined, typename: string, field: string) {
  return globalId == null ? globalId : rawId(globalId, typename, field);
}

export const globalId = encodeGlobalID;

/** `node(id)` and every lookup only ever find rows of the caller's own team. */
export function inTeam(id: string, ctx: { actor: { teamId: string } | null }) {
  return { id, teamId: ctx.actor?.teamId ?? '' };
}
