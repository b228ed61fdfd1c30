import { type DocumentNode, GraphQLError, Kind, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const NUL = '\u0000';

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(NUL);
  if (Array.isArray(value)) return value.some(hasNul);
  if (value && typeof value === 'object') return Object.values(value).some(hasNul);
  return false;
}

function documentHasNul(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.STRING](node) {
      if (node.value.includes(NUL)) found = true;
    },
  });
  return found;
}

/**
 * PostgreSQL cannot store U+0000 in text, so a NUL anywhere in an operation's strings
 * (variables or inline) is refused up front as invalid input, before any resolver or query
 * could fail on it with an internal error.
 */
export function useNoNulCharacters(): Plugin {
  const refuse = ({ args, setResultAndStopExecution }: GuardPayload) => {
    if (hasNul(args.variableValues) || documentHasNul(args.document)) {
      setResultAndStopExecution({
        errors: [
          new GraphQLError('Text cannot contain NUL (U+0000) characters.', { extensions: { code: 'InvalidInput' } }),
        ],
      });
    }
  };
  return { onExecute: refuse, onSubscribe: refuse };
}

type GuardPayload = {
  args: { variableValues?: unknown; document: DocumentNode };
  setResultAndStopExecution(result: { errors: GraphQLError[] }): void;
};
