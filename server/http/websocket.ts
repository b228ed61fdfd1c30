import type { Server } from 'node:http';
import { type DocumentNode, type ExecutionArgs, GraphQLError, getOperationAST, Kind } from 'graphql';
import type { OperationResult, Context as WsContext } from 'graphql-ws';
import { type Extra, useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { activeShareLink } from '../auth/share-links.ts';
import type { RequestContext } from '../context.ts';
import type { LedgerContext } from '../ledger/context.ts';
import { DomainError, RateLimited } from '../ledger/errors.ts';
import { type Authenticate, bearer, loginCookie, MALFORMED_COOKIE, type SocketAuth } from './auth-context.ts';

/** graphql-ws hands back what onSubscribe returned: yoga's enveloped execute/subscribe ride on rootValue. */
type EnvelopedArgs = ExecutionArgs & { rootValue: { execute: Runner; subscribe: Runner } };
type Runner = (args: ExecutionArgs) => OperationResult;
type SubscribeParams = { query: string; operationName?: string | null; variables?: Record<string, unknown> | null };
/**
 * `fresh`: the connection_init's authentication, not yet used by an operation. `shareOnly`: the
 * socket came with a share token, which opens `sharedBalance` and nothing else.
 */
type SocketState = { auth?: SocketAuth & { fresh: boolean }; shareOnly?: boolean };
type Ctx = WsContext<Record<string, unknown>, Extra & SocketState>;

/**
 * graphql-ws messages are small (a query, its variables); this bounds what a client can make
 * the server buffer, before connection_init too. Larger frames close the socket (1009).
 */
export const WS_MAX_PAYLOAD_BYTES = 64 * 1024;

export const FOREIGN_ORIGIN =
  'A login cookie opens sockets only from the app’s own origin; send a bearer token instead.';

export interface WebSocketOptions {
  yoga: YogaServerInstance<Record<string, unknown>, RequestContext>;
  ledger: LedgerContext;
  authenticate: Authenticate;
  /** Origins besides the app's own from which a cookie-authenticated socket is accepted. */
  allowedOrigins: string[];
}

/** Browsers always send Origin on a WebSocket handshake, and Host is the server they dialled. */
function ownOrigin(ctx: Ctx, allowed: string[]): boolean {
  const { origin, host } = ctx.extra.request.headers;
  if (!origin) return false;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** A share-token socket runs `sharedBalance` only (the root fields of the operation, nothing else). */
function onlySharedBalance(document: DocumentNode, operationName?: string | null) {
  const operation = getOperationAST(document, operationName);
  return (
    operation?.selectionSet.selections.every(
      (s) => s.kind === Kind.FIELD && (s.name.value === 'sharedBalance' || s.name.value === '__typename'),
    ) ?? false
  );
}

/**
 * graphql-ws on the HTTP server's /graphql, through yoga's envelope so sockets get the same
 * schema, plugins and context as HTTP requests. Each operation is authenticated (and, for an
 * API key, charged) once.
 *
 * Credentials: a bearer token (login or API key) in connectionParams `authorization`/`token`;
 * a share token there, for `sharedBalance`; or the browser's login cookie — the one a page on
 * another site would ride on, so it counts only from the app's own origin (and `allowedOrigins`).
 */
export function attachWebSocketServer(server: Server, options: WebSocketOptions) {
  const { yoga, ledger, authenticate, allowedOrigins } = options;
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: WS_MAX_PAYLOAD_BYTES });
  const graphqlWs = useServer<Record<string, unknown>, SocketState>(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args),
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args),
      onConnect: async (ctx: Ctx) => {
        const params = ctx.connectionParams;
        const sent =
          (typeof params?.authorization === 'string' ? bearer(params.authorization) : null) ??
          (typeof params?.token === 'string' ? params.token : null);
        let token = sent;
        if (!token) {
          try {
            token = loginCookie(ctx.extra.request.headers.cookie);
          } catch {
            ctx.extra.socket.close(4400, MALFORMED_COOKIE);
            return false;
          }
          if (token && !ownOrigin(ctx, allowedOrigins)) {
            ctx.extra.socket.close(4403, FOREIGN_ORIGIN);
            return false;
          }
        }
        let actor: Awaited<ReturnType<Authenticate>>;
        try {
          actor = await authenticate(token);
        } catch (error) {
          // An API key over its budget: say so, as HTTP's 429 does.
          if (!(error instanceof RateLimited)) throw error;
          ctx.extra.socket.close(4429, error.message);
          return false;
        }
        if (actor) {
          ctx.extra.auth = { token, actor, fresh: true };
          return true;
        }
        // Not a login or key: a live share link opens the public balance; anything else is
        // closed with 4403 Forbidden by graphql-ws.
        if (sent && (await activeShareLink(ledger, sent))) {
          ctx.extra.shareOnly = true;
          return true;
        }
        return false;
      },
      onSubscribe: async (ctx: Ctx, _id: string, params: SubscribeParams) => {
        const auth = ctx.extra.auth;
        // The first operation rides on the connection's authentication (one request, charged
        // once); later ones authenticate again, so a revoked key or ended login starts nothing new.
        if (auth && !auth.fresh) {
          try {
            auth.actor = await authenticate(auth.token);
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            return [new GraphQLError(error.message, { extensions: { ...error, code: error.code } })];
          }
        }
        if (auth) auth.fresh = false;
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          // A socket is no cross-site form: mutations are as welcome here as in a JSON POST.
          request: new Request('http://localhost/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
          }),
          socket: ctx.extra.socket,
          socketAuth: auth ?? { token: null, actor: null },
          params,
        });
        const document = parse(params.query);
        if (ctx.extra.shareOnly && !onlySharedBalance(document, params.operationName)) {
          return [new GraphQLError('A share token opens sharedBalance only.', { extensions: { code: 'Forbidden' } })];
        }
        const args = {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        return errors.length ? errors : args;
      },
    },
    wss,
  );
  return { dispose: () => graphqlWs.dispose() };
}
