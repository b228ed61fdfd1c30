import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { PothosValidationError } from '@pothos/core';
import { type DocumentNode, type ExecutionResult, GraphQLError, getOperationAST } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { RequestContext } from '../context.ts';
import { DomainError } from '../ledger/errors.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

/**
 * One log line and one metrics sample per GraphQL operation: per HTTP request when the response
 * goes out, per graphql-ws operation when it is done, and one more line when a subscription ends.
 *
 * Outcomes: `ok`; `refused` — the caller's doing (a typed domain error, whether thrown or
 * returned as a result type, bad input, a failed validation, missing credentials, a rate
 * limit), logged at info with its code and no stack; `error` — ours (an unexpected exception,
 * the database away), logged at error with the stack.
 */

type Outcome = 'ok' | 'refused' | 'error';

interface Operation {
  requestId: string;
  started: number;
  /** The client's operationName (logs only: clients choose it freely). */
  operationName?: string;
  /** `type.firstRootField`: bounded by the schema, so fit for a metrics label. */
  operation?: string;
  teamId?: string;
  transport: 'http' | 'ws' | 'sse';
  codes: string[];
  failure?: unknown;
  executed: boolean;
}

const current = new AsyncLocalStorage<Operation>();

/**
 * The errors plugin turns a thrown domain error into a typed result (`... on InsufficientCredits`):
 * the response is a success, but the operation was refused. Pothos tells us here
 * (`errors.onResolvedError` in schema/builder.ts).
 */
export function noteResolvedError(error: Error) {
  current.getStore()?.codes.push(error instanceof DomainError ? error.code : error.name);
}

/** The request id a proxy or client sent, when it is a sane token; otherwise a new one. */
function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id');
  return given && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

function operationLabel(document: DocumentNode, operationName?: string | null): string | undefined {
  const ast = getOperationAST(document, operationName);
  if (!ast) return undefined;
  const first = ast.selectionSet.selections[0];
  return first?.kind === 'Field' ? `${ast.operation}.${first.name.value}` : ast.operation;
}

/** A refusal: the caller's doing, however it reached us (thrown, or wrapped by graphql-js). */
function isRefusal(error: unknown): boolean {
  const original = error instanceof GraphQLError ? error.originalError : error;
  return original instanceof DomainError || original instanceof PothosValidationError;
}

/** Sorts one error of a result into a refusal (its code) or a failure of ours. */
function classify(op: Operation, error: GraphQLError) {
  const original = error.originalError;
  if (original instanceof DomainError) return op.codes.push(original.code);
  if (original instanceof PothosValidationError) return op.codes.push('InvalidInput');
  const extensions = error.extensions as { code?: string; http?: { status?: number } } | undefined;
  const status = extensions?.http?.status ?? 0;
  if (original && !(original instanceof GraphQLError)) {
    op.failure ??= original;
    return op.codes.push(extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  }
  if (status >= 500 || extensions?.code === 'INTERNAL_SERVER_ERROR') {
    op.failure ??= error;
    return op.codes.push(extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  }
  op.codes.push(extensions?.code ?? 'BAD_REQUEST');
}

function classifyResult(op: Operation, result: unknown) {
  for (const error of (result as ExecutionResult | undefined)?.errors ?? []) classify(op, error as GraphQLError);
}

/**
 * The yoga plugin, and the logger yoga itself reports to. Yoga reports every error it masks,
 * refusals included; here a refusal is dropped (the operation's line has its code), and an
 * unexpected error joins its operation's line, so each failure is logged once, with its stack.
 */
export function operationLogging({ log, metrics }: { log: Logger; metrics: Metrics }): {
  plugin: Plugin<RequestContext>;
  yogaLogger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
} {
  const http = new WeakMap<Request, Operation>();
  /** Failures already on an operation's line. */
  const reported = new WeakSet<object>();
  const isReported = (error: unknown) => typeof error === 'object' && error !== null && reported.has(error);
  const noteReported = (op: Operation) => {
    if (typeof op.failure === 'object' && op.failure !== null) reported.add(op.failure);
  };
  const yoga = log.child({ component: 'yoga' });
  const yogaLogger = {
    debug: (...args: unknown[]) => yoga.debug(args.map(String).join(' ')),
    info: (...args: unknown[]) => yoga.info(args.map(String).join(' ')),
    warn: (...args: unknown[]) => yoga.warn(args.map(String).join(' ')),
    error: (...args: unknown[]) => {
      for (const error of args) {
        // Yoga reports the error graphql-js wrapped around what was thrown: either may be on record.
        const thrown = error instanceof GraphQLError ? error.originalError : undefined;
        if (isRefusal(error) || isReported(error) || isReported(thrown)) continue;
        const op = current.getStore();
        if (op && !op.failure && typeof error === 'object' && error !== null) {
          op.failure = error;
          reported.add(error);
          continue;
        }
        yoga.error({ err: error }, error instanceof Error ? error.message : String(error));
      }
    },
  } as Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

  function finish(op: Operation, status?: number) {
    const seconds = (performance.now() - op.started) / 1000;
    let outcome: Outcome = op.failure ? 'error' : op.codes.length > 0 ? 'refused' : 'ok';
    // Refused before any GraphQL ran (credentials, rate limit, a request yoga could not read).
    if (outcome === 'ok' && status !== undefined && status >= 400) outcome = status >= 500 ? 'error' : 'refused';
    const label = op.operation ?? 'unknown';
    metrics.operations.inc({ operation: label, outcome });
    metrics.operationSeconds.observe({ operation: label, outcome }, seconds);
    const fields = {
      requestId: op.requestId,
      teamId: op.teamId,
      operationName: op.operationName,
      operation: label,
      transport: op.transport,
      outcome,
      ...(op.codes.length > 0 ? { codes: [...new Set(op.codes)] } : {}),
      ...(status !== undefined ? { status } : {}),
      durationMs: Math.round(seconds * 10_000) / 10,
    };
    if (outcome === 'error') log.error({ ...fields, err: op.failure }, 'graphql operation failed');
    else log.info(fields, outcome === 'ok' ? 'graphql operation' : 'graphql operation refused');
  }

  function describe(op: Operation, document: DocumentNode, name?: string | null) {
    op.operationName = name ?? getOperationAST(document, name)?.name?.value;
    op.operation = operationLabel(document, name);
  }

  /** The operation record of this execution: the HTTP request's, or a new one for a socket message. */
  function operationOf(context: RequestContext & { request: Request }, document: DocumentNode, name?: string | null) {
    const op = http.get(context.request) ?? {
      requestId: randomUUID(),
      started: performance.now(),
      transport: 'ws' as const,
      codes: [],
      executed: false,
    };
    op.executed = true;
    describe(op, document, name);
    op.teamId = context.actor?.teamId;
    return op;
  }

  const plugin: Plugin<RequestContext> = {
    instrumentation: {
      // The whole HTTP request runs with its record at hand, so that an error yoga reports
      // from anywhere in it (the context factory too) lands on the request's line.
      request({ request }, wrapped) {
        const sse = request.headers.get('accept')?.includes('text/event-stream') ?? false;
        const op: Operation = {
          requestId: requestIdOf(request),
          started: performance.now(),
          transport: sse ? 'sse' : 'http',
          codes: [],
          executed: false,
        };
        http.set(request, op);
        return current.run(op, wrapped);
      },
    },
    onParams({ params, request }) {
      const op = http.get(request);
      if (op) op.operationName = params.operationName ?? undefined;
    },
    onParse({ context }) {
      const op = http.get((context as { request: Request }).request);
      return ({ result }) => {
        if (op && result && !(result instanceof Error)) describe(op, result as DocumentNode, op.operationName);
      };
    },
    onExecute({ args, setExecuteFn, executeFn }) {
      const op = operationOf(args.contextValue, args.document, args.operationName);
      setExecuteFn((a) => current.run(op, () => executeFn(a)));
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) classifyResult(op, result);
          noteReported(op);
          if (op.transport === 'ws') finish(op);
        },
      };
    },
    onSubscribe({ args, setSubscribeFn, subscribeFn }) {
      const op = operationOf(args.contextValue, args.document, args.operationName);
      setSubscribeFn((a) => current.run(op, () => subscribeFn(a)));
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) {
            // Refused at the start (e.g. no access): one line, like any other operation.
            classifyResult(op, result);
            if (op.transport === 'ws') finish(op);
            return;
          }
          const transport = op.transport === 'ws' ? 'ws' : 'sse';
          const opened = performance.now();
          metrics.subscriptions.inc({ transport });
          if (op.transport === 'ws') finish(op);
          return {
            onNext({ result: next }) {
              classifyResult(op, next);
              noteReported(op);
            },
            onEnd() {
              metrics.subscriptions.dec({ transport });
              log.info(
                {
                  requestId: op.requestId,
                  teamId: op.teamId,
                  operationName: op.operationName,
                  operation: op.operation,
                  transport,
                  outcome: op.failure ? 'error' : 'ok',
                  durationMs: Math.round(performance.now() - opened),
                },
                'graphql subscription ended',
              );
            },
          };
        },
      };
    },
    onResultProcess({ request, result }) {
      // Results that never reached execution (unreadable request, parse or validation errors).
      const op = http.get(request);
      if (op && !op.executed) for (const r of Array.isArray(result) ? result : [result]) classifyResult(op, r);
    },
    onResponse({ request, response }) {
      const op = http.get(request);
      if (!op) return;
      http.delete(request);
      response.headers.set('x-request-id', op.requestId);
      finish(op, response.status);
    },
  };
  return { plugin, yogaLogger };
}
