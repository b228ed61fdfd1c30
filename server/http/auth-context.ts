import type { IncomingMessage } from 'node:http';
import type { YogaInitialContext } from 'graphql-yoga';
import { API_KEY_PREFIX, actorForApiKey } from '../auth/api-keys.ts';
import type { Limits } from '../auth/rate-limit.ts';
import { actorForLogin, LOGIN_DAYS } from '../auth/team.ts';
import type { Config } from '../config.ts';
import type { RequestContext } from '../context.ts';
import type { EventHub } from '../events/hub.ts';
import type { Actor } from '../ledger/actor.ts';
import type { LedgerContext } from '../ledger/context.ts';
import { Unauthenticated } from '../ledger/errors.ts';

export const LOGIN_COOKIE = 'punchcard_session';

/**
 * Resolves a bearer/cookie token to who is acting. `spend: false` re-checks credentials
 * (subscriptions) without spending an API key's request budget.
 */
export type Authenticate = (token: string | null, spend?: boolean) => Promise<Actor | null>;

/** A token is an API key (`pc_…`) or a login token; each request spends one of a key's budget. */
export function createAuthenticate(ledger: LedgerContext, limits: Limits): Authenticate {
  return async (token, spend = true) => {
    if (!token) return null;
    if (!token.startsWith(API_KEY_PREFIX)) return actorForLogin(ledger, token);
    const actor = await actorForApiKey(ledger, token);
    if (spend && actor?.kind === 'API_KEY') await limits.apiKey(actor.apiKeyId);
    return actor;
  };
}

/** What a WebSocket established when it connected, handed to each of its operations' context. */
export interface SocketAuth {
  token: string | null;
  actor: Actor | null;
}

/** The server context yoga gets besides the request: node's request, or a socket's credentials. */
export interface ServerContext {
  req?: IncomingMessage;
  socketAuth?: SocketAuth;
}

export function bearer(header: string | null | undefined): string | null {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match ? match[1] : null;
}

export function cookieValue(header: string | null | undefined, name: string): string | null {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

export interface ContextDeps {
  config: Config;
  ledger: LedgerContext;
  hub: EventHub;
  authenticate: Authenticate;
  /** Turns a refusal while authenticating into the HTTP answer it deserves (429, 503). */
  asHttpError(error: unknown): never;
}

/** yoga's context factory: who is asking (bearer token, login cookie or socket), from where. */
export function requestContext(deps: ContextDeps) {
  const { config, ledger, hub, authenticate } = deps;
  return async ({ request, ...serverContext }: YogaInitialContext & ServerContext): Promise<RequestContext> => {
    const { socketAuth, req } = serverContext;
    const loginToken = socketAuth
      ? socketAuth.token
      : (bearer(request.headers.get('authorization')) ?? cookieValue(request.headers.get('cookie'), LOGIN_COOKIE));
    const secure =
      new URL(request.url).protocol === 'https:' ||
      (config.trustProxy && request.headers.get('x-forwarded-proto') === 'https');
    // A socket authenticated once, when it connected; its operations reuse that.
    const actor = socketAuth ? socketAuth.actor : await authenticate(loginToken).catch(deps.asHttpError);
    const forwarded = config.trustProxy ? request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() : undefined;
    return {
      prisma: ledger.prisma,
      ledger,
      hub,
      actor,
      clientAddress: forwarded || req?.socket?.remoteAddress || 'unknown',
      loginToken,
      async stillAuthorized() {
        const now = await authenticate(loginToken, false);
        if (!actor || !now || now.teamId !== actor.teamId)
          throw new Unauthenticated('Your access to this team has ended.');
      },
      loginCookie: {
        async set(token) {
          await request.cookieStore?.set({
            name: LOGIN_COOKIE,
            value: token,
            domain: null,
            path: '/',
            httpOnly: true,
            secure,
            sameSite: 'lax',
            expires: Date.now() + LOGIN_DAYS * 86_400_000,
          });
        },
        async clear() {
          await request.cookieStore?.delete(LOGIN_COOKIE);
        },
      },
    };
  };
}
