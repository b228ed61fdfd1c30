import type { CombinedError } from '@urql/core';
import { graphql } from '../gql';

/** Every mutation document selects its errors with this: all `describeError` needs to explain them. */
export const ProblemFieldsFragment = graphql(`
  fragment ProblemFields on Error {
    code
    message
    ... on InvalidInput {
      field
    }
    ... on InsufficientCredits {
      balance
      required
    }
    ... on NoteTooLong {
      length
      maxLength
    }
  }
`);

/** Any member of a mutation's result union: a payload, or a typed error implementing `Error`. */
export type ResultUnion = { __typename?: string; code?: string; message?: string } & Record<string, unknown>;

export interface Problem {
  title: string;
  message: string;
  /** The input field the server refused (InvalidInput), to focus it. */
  field?: string;
}

const TITLES: Record<string, string> = {
  InsufficientCredits: 'Not enough credits',
  PackageExpired: 'That package has expired',
  PackageExhausted: 'That package is used up',
  SessionTypeArchived: 'That session type is archived',
  SessionTypeLocked: 'That setting is locked',
  SessionTypeNameTaken: 'That name is taken',
  NoteTooLong: 'The note is too long',
  InvalidInput: 'Please check the form',
  Forbidden: 'Not allowed',
  NotFound: 'Not found',
  Unauthenticated: 'You are logged out',
  EmailTaken: 'That email already has an account',
  InvalidCredentials: 'Wrong email or password',
  IdempotencyKeyReused: 'Already done differently',
  AlreadyUndone: 'Already undone',
  SessionNotBooked: 'That session is no longer booked',
};

/** Plain words for a typed API error: a title by __typename, the server's own message after it. */
export function describeError(result: ResultUnion): Problem {
  const typename = result.__typename ?? result.code ?? 'Error';
  const title = TITLES[typename] ?? TITLES[result.code ?? ''] ?? 'Something went wrong';
  let message = typeof result.message === 'string' ? result.message : '';
  if (typename === 'InsufficientCredits' && typeof result.balance === 'number') {
    const required = typeof result.required === 'number' ? result.required : 1;
    message ||= `The client has ${result.balance} usable ${plural(result.balance, 'credit')}; ${required} needed.`;
  }
  if (typename === 'NoteTooLong' && typeof result.maxLength === 'number') {
    message ||= `Notes can be at most ${result.maxLength} characters.`;
  }
  return { title, message, field: typeof result.field === 'string' ? result.field : undefined };
}

/** A transport or GraphQL-level failure (network down, server error) in plain words. */
export function describeTransportError(error: CombinedError): Problem {
  if (error.networkError) {
    return { title: 'Cannot reach Punchcard', message: 'Check your connection and try again.' };
  }
  const first = error.graphQLErrors[0];
  const code = first?.extensions?.code;
  if (code === 'Unauthenticated') return { title: TITLES.Unauthenticated, message: 'Please log in again.' };
  return { title: 'Something went wrong', message: first?.message ?? error.message };
}

/** True when a result union member is one of the typed errors (they all carry `code`). */
export function isError(result: ResultUnion | null | undefined): boolean {
  return result != null && typeof result.code === 'string' && typeof result.message === 'string';
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return Math.abs(n) === 1 ? word : many;
}
