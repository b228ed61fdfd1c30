import type { YogaInitialContext } from 'graphql-yoga';
import type { EventHub } from './events/hub.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import type { Actor } from './ledger/actor.ts';
import type { LedgerContext } from './ledger/context.ts';
import { Unauthenticated } from './ledger/errors.ts';

/** The per-request context every resolver gets: who is asking, and the ledger to ask. */
export interface RequestContext {
  prisma: PrismaClient;
  ledger: LedgerContext;
  actor: Actor | null;
  /** Who is calling, for per-address limits (X-Forwarded-For only with TRUST_PROXY). */
  clientAddress: string;
  /** The login token this request came with (cookie or bearer), for logOut and switchTeam. */
  loginToken: string | null;
  /** The instance's live event streams (subscriptions). */
  hub: EventHub;
  /** Throws when the credentials this request came with no longer grant the same access. */
  stillAuthorized(): Promise<void>;
  /** Sets or clears the HttpOnly login cookie on the response. */
  loginCookie: { set(token: string): Promise<void>; clear(): Promise<void> };
}

export type GraphQLContext = YogaInitialContext & RequestContext;

export function requireActor(ctx: GraphQLContext): Actor {
  if (!ctx.actor) throw new Unauthenticated();
  return ctx.actor;
}
