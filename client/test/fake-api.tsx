import { Client, fetchExchange } from '@urql/core';
import { Provider } from '@urql/solid';
import type { JSX } from 'solid-js';

export type Resolver = (variables: Record<string, any>) => unknown;

/**
 * An urql client whose "server" answers by operation name: the components under test run their
 * real documents and see real result shapes, and the test sees every request they made.
 */
export function fakeApi(resolvers: Record<string, Resolver>) {
  const calls: { operationName: string; variables: Record<string, any> }[] = [];
  const client = new Client({
    url: 'http://punchcard.test/graphql',
    exchanges: [fetchExchange],
    requestPolicy: 'network-only',
    preferGetMethod: false,
    fetch: async (_url, init) => {
      const body = JSON.parse(String(init?.body));
      const name = body.operationName as string;
      calls.push({ operationName: name, variables: body.variables ?? {} });
      const resolve = resolvers[name];
      if (!resolve) throw new Error(`No fake resolver for ${name}`);
      return new Response(JSON.stringify({ data: resolve(body.variables ?? {}) }), {
        headers: { 'content-type': 'application/json' },
      });
    },
  });
  const wrapper = (props: { children: JSX.Element }) => <Provider value={client}>{props.children}</Provider>;
  return { client, calls, wrapper };
}
