/** What the virtual users of the benchmarks do (run inside bench/load-worker.ts). */

export interface VuContext {
  /** This virtual user's number, 0 … concurrency-1. */
  vu: number;
  params: any;
  /** State shared by the virtual users of one worker. */
  shared: Record<string, unknown>;
  /** Sends one operation, timing it under `op`; resolves with the first field of data (or null). */
  gql(op: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<any>;
  /** Hands something back to the benchmark. */
  report(value: unknown): void;
}

export type Scenario = (ctx: VuContext) => Promise<void>;

const RESULT = `__typename ... on SessionPayload { balance session { id } } ... on Error { code }`;
export const LOG = `mutation($input: LogSessionInput!) { logSession(input: $input) { ${RESULT} } }`;
export const BOOK = `mutation($input: BookSessionInput!) { bookSession(input: $input) { ${RESULT} } }`;
export const CANCEL = `mutation($id: ID!, $key: String) { cancelSession(sessionId: $id, idempotencyKey: $key) { ${RESULT} } }`;
export const UNDO = `mutation($id: ID!, $key: String) { undoSession(sessionId: $id, idempotencyKey: $key) { ${RESULT} } }`;

const key = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/** This user's share of `total` calls when `users` split them evenly. */
function share(total: number, users: number, vu: number) {
  return Math.floor(total / users) + (vu < total % users ? 1 : 0);
}

export const scenarios: Record<string, Scenario> = {
  /** Everyone logs sessions on one client's one package. */
  async hotAccount({ vu, params, gql }) {
    const { token, clientId, packageId, calls, concurrency, keys } = params;
    for (let i = 0; i < share(calls, concurrency, vu); i++) {
      const input: Record<string, unknown> = { clientId, packageId, status: 'COMPLETED' };
      if (keys) input.idempotencyKey = key();
      await gql('logSession', LOG, { input }, token);
    }
  },

  /**
   * Writers spread over many clients of several teams, mixing log, book, cancel (of their own
   * bookings) and undo (of their own logged sessions), every call with an idempotency key.
   */
  async spread({ vu, params, gql }) {
    const { teams, durationMs } = params as {
      teams: { token: string; sessionTypeId: string; clients: string[] }[];
      durationMs: number;
    };
    const team = teams[vu % teams.length];
    const { sessionTypeId } = team;
    const booked: string[] = [];
    const logged: string[] = [];
    const deadline = performance.now() + durationMs;
    const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];
    const take = (list: string[]) => list.splice(Math.floor(Math.random() * list.length), 1)[0];
    while (performance.now() < deadline) {
      const r = Math.random();
      if (r < 0.2 && booked.length) {
        await gql('cancelSession', CANCEL, { id: take(booked), key: key() }, team.token);
      } else if (r < 0.4 && logged.length) {
        await gql('undoSession', UNDO, { id: take(logged), key: key() }, team.token);
      } else if (r < 0.7) {
        const startsAt = new Date(Date.now() + (2 + Math.random() * 5) * 86_400_000).toISOString();
        const result = await gql(
          'bookSession',
          BOOK,
          { input: { clientId: pick(team.clients), sessionTypeId, startsAt, idempotencyKey: key() } },
          team.token,
        );
        if (result?.session) booked.push(result.session.id);
      } else {
        const result = await gql(
          'logSession',
          LOG,
          { input: { clientId: pick(team.clients), status: 'COMPLETED', idempotencyKey: key() } },
          team.token,
        );
        if (result?.session) logged.push(result.session.id);
      }
    }
  },

  /** One read query over and over, for `durationMs`. */
  async read({ params, gql }) {
    const { op, query, variables, token, durationMs } = params;
    const deadline = performance.now() + durationMs;
    while (performance.now() < deadline) await gql(op, query, variables, token);
  },
};
