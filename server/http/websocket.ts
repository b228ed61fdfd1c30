import type { Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import type { OperationResult, Context as WsContext } from 'graphql-ws';
import { type Extra, useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { RequestContext } from '../context.ts';
import { type Authenticate, bearer, cookieValue, LOGIN_COOKIE, type SocketAuth } from './auth-context.ts';

/** graphql-ws hands back what onSubscribe returned: yoga's enveloped execute/subscribe ride on rootValue. */
type EnvelopedArgs = ExecutionArgs & { rootValue: { execute: Runner; subscribe: Runner } };
type Runner = (args: ExecutionArgs) => OperationResult;
type SubscribeParams = { query: string; operationName?: string | null; variables?: Record<string, unknown> | null };
/** `fresh`: the connection_init's authentication, not yet used by an operation. */
type SocketExtra = Extra & { auth?: SocketAuth & { fresh: boolean } };
type Ctx = WsContext<Record<string, unknown>, SocketExtra>;

export interface WebSocketOptions {
  yoga: YogaServerInstance<Record<string, unknown>, RequestContext>;
  authenticate: Authenticate;
}

/** The socket's credential: a bearer token in connectionParams, or the browser's login cookie. */
function socketToken(ctx: Ctx): string | null {
  const params = ctx.connectionParams;
  return (
    (typeof params?.authorization === 'string' ? bearer(params.authorization) : null) ??
    (typeof params?.token === 'string' ? params.token : null) ??
    cookieValue(ctx.extra.request.headers.cookie, LOGIN_COOKIE)
  );
}

/**
 * graphql-ws on the HTTP server's /graphql, through yoga's envelope so sockets get the same
 * schema, plugins and context as HTTP requests. Each operation is authenticated (and, for an
 * API key, charged) once.
 */
export function attachWebSocketServer(server: Server, options: WebSocketOptions) {
  const { yoga, authenticate } = options;
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const graphqlWs = useServer<Record<string, unknown>, Omit<SocketExtra, keyof Extra>>(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args),
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args),
      onConnect: async (ctx: Ctx) => {
        const token = socketToken(ctx);
        const actor = await authenticate(token);
        // Refused sockets are closed with 4403 Forbidden by graphql-ws.
        if (!actor) return false;
        ctx.extra.auth = { token, actor, fresh: true };
        return true;
      },
      onSubscribe: async (ctx: Ctx, _id: string, params: SubscribeParams) => {
        const auth = ctx.extra.auth;
        // The first operation rides on the connection's authentication (one request, charged
        // once); later ones authenticate again, so a revoked key or ended login starts nothing new.
        if (auth && !auth.fresh) auth.actor = await authenticate(auth.token);
        if (auth) auth.fresh = false;
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          request: new Request('http://localhost/graphql', {
            headers: { cookie: ctx.extra.request.headers.cookie ?? '' },
          }),
          socket: ctx.extra.socket,
          socketAuth: ctx.extra.auth,
          params,
        });
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
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
