import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import type { YogaInitialContext } from 'graphql-yoga';
import proxyaddr from 'proxy-addr';
import { API_KEY_PREFIX, actorForApiKey } from '../auth/api-keys.ts';
import type { Limits } from '../auth/rate-limit.ts';
import { actorForLogin, LOGIN_DAYS } from '../auth/team.ts';
import type { Config } from '../config.ts';
import type { RequestContext } from '../context.ts';
import type { EventHub } from '../events/hub.ts';
import type { Actor } from '../ledger/actor.ts';
import type { LedgerContext } from '../ledger/context.ts';
import { InvalidInput, Unauthenticated } from '../ledger/errors.ts';

/** The login cookie over plain http (localhost, tests), and the name logins had before `__Host-`. */
export const LOGIN_COOKIE = 'punchcard_session';
/**
 * Over https the cookie is `__Host-` prefixed: browsers then insist on Secure, Path=/ and no
 * Domain, so a sibling subdomain or a plain-http page cannot plant or overwrite it.
 */
export const SECURE_LOGIN_COOKIE = `__Host-${LOGIN_COOKIE}`;

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

export const MALFORMED_COOKIE = 'The login cookie is malformed. Clear the cookies of this site and log in again.';

function cookieValue(header: string | null | undefined, name: string): string | null {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      throw new InvalidInput('cookie', MALFORMED_COOKIE);
    }
  }
  return null;
}

/** The login token of a Cookie header (the `__Host-` name first); InvalidInput if it is malformed. */
export function loginCookie(header: string | null | undefined): string | null {
  return cookieValue(header, SECURE_LOGIN_COOKIE) ?? cookieValue(header, LOGIN_COOKIE);
}

/** Which peers may speak for the client (TRUST_PROXY), compiled once; proxy-addr's rules, as Express. */
export function proxyTrust(setting: Config['trustProxy']): (address: string, hop: number) => boolean {
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyaddr.compile(setting);
}

export interface ContextDeps {
  config: Config;
  ledger: LedgerContext;
  hub: EventHub;
  authenticate: Authenticate;
  /** Turns a refusal while authenticating into the HTTP answer it deserves (429, 503). */
  asHttpError(error: unknown): never;
}

const malformedCookie = () =>
  new GraphQLError(MALFORMED_COOKIE, { extensions: { code: 'InvalidInput', field: 'cookie', http: { status: 400 } } });

/** yoga's context factory: who is asking (bearer token, login cookie or socket), from where. */
export function requestContext(deps: ContextDeps) {
  const { ledger, hub, authenticate } = deps;
  const trust = proxyTrust(deps.config.trustProxy);
  return async ({ request, ...serverContext }: YogaInitialContext & ServerContext): Promise<RequestContext> => {
    const { socketAuth, req } = serverContext;
    let loginToken: string | null;
    try {
      loginToken = socketAuth
        ? socketAuth.token
        : (bearer(request.headers.get('authorization')) ?? loginCookie(request.headers.get('cookie')));
    } catch {
      throw malformedCookie();
    }
    // Only a trusted proxy next to us may say the client used https (in-process calls have no peer).
    const peer = req?.socket?.remoteAddress;
    const secure =
      new URL(request.url).protocol === 'https:' ||
      (peer !== undefined && trust(peer, 0) && request.headers.get('x-forwarded-proto') === 'https');
    // A socket authenticated when it connected; its operations reuse that.
    const actor = socketAuth ? socketAuth.actor : await authenticate(loginToken).catch(deps.asHttpError);
    return {
      prisma: ledger.prisma,
      ledger,
      hub,
      actor,
      // The right-most address no trusted proxy vouches for: a forged X-Forwarded-For entry
      // sits left of what our own proxy appended, so it is never taken.
      clientAddress: req?.socket ? proxyaddr(req, trust) : 'unknown',
      loginToken,
      async stillAuthorized() {
        const now = await authenticate(loginToken, false);
        if (!actor || !now || now.teamId !== actor.teamId)
          throw new Unauthenticated('Your access to this team has ended.');
      },
      loginCookie: {
        async set(token) {
          await request.cookieStore?.set({
            name: secure ? SECURE_LOGIN_COOKIE : LOGIN_COOKIE,
            value: token,
            domain: null,
            path: '/',
            httpOnly: true,
            secure,
            sameSite: 'lax',
            expires: Date.now() + LOGIN_DAYS * 86_400_000,
          });
          // A login from before the `__Host-` name moves over to it.
          if (secure && (await request.cookieStore?.get(LOGIN_COOKIE))) await request.cookieStore?.delete(LOGIN_COOKIE);
        },
        async clear() {
          await request.cookieStore?.delete(LOGIN_COOKIE);
          if (secure) await request.cookieStore?.delete(SECURE_LOGIN_COOKIE);
        },
      },
    };
  };
}
