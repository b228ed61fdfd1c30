import type { AnyVariables, Client, OperationContext, TypedDocumentNode } from '@urql/core';
import { describeError, describeTransportError, isError, type Problem, type ResultUnion } from './error';

export type MutationOutcome<T> = { value: T; problem: null } | { value: null; problem: Problem };

/**
 * Runs a mutation whose one field is a result union and separates the payload from the typed
 * errors (union members implementing `Error`), which come back as plain words.
 */
export async function mutate<D extends object, V extends AnyVariables>(
  client: Client,
  document: TypedDocumentNode<D, V>,
  variables: V,
  context?: Partial<OperationContext>,
): Promise<MutationOutcome<D[keyof D]>> {
  const result = await client.mutation(document, variables, context).toPromise();
  if (result.error) return { value: null, problem: describeTransportError(result.error) };
  const value = result.data ? (Object.values(result.data)[0] as D[keyof D]) : undefined;
  if (value == null) {
    return { value: null, problem: { title: 'Something went wrong', message: 'The server gave no answer.' } };
  }
  if (typeof value === 'object' && isError(value as ResultUnion)) {
    return { value: null, problem: describeError(value as ResultUnion) };
  }
  return { value, problem: null };
}
