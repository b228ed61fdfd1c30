import {
  type DocumentNode,
  type GraphQLArgument,
  GraphQLError,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
  TypeInfo,
  type ValueNode,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Every list argument (and list field of an input) says how many items it takes, in its
 * description and as `extensions.maxItems`. `useListMaxima` refuses a longer list before any
 * resolver runs — written inline or sent in variables — so 60,000 IDs cost a length check,
 * not 60,000 lookups.
 */
export function maxItems(max: number, description?: string) {
  return {
    description: `${description ? `${description} ` : ''}At most ${max} items.`,
    extensions: { maxItems: max },
  };
}

type Limited = GraphQLArgument | GraphQLInputField;

const limitOf = (def: Limited) => def.extensions?.maxItems as number | undefined;

class TooMany extends Error {
  constructor(
    readonly field: string,
    readonly maxItems: number,
    readonly length: number,
  ) {
    super(`${field} takes at most ${maxItems} items (got ${length}); split the request.`);
  }
}

/** A list literal, or a variable's raw (not yet coerced) value, against the type it is given for. */
function checkLiteral(
  type: GraphQLInputType,
  def: Limited | null,
  node: ValueNode,
  variables: Record<string, unknown>,
) {
  if (node.kind === Kind.VARIABLE) return checkRaw(type, def, variables[node.name.value]);
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const items = node.kind === Kind.LIST ? node.values : [node];
    const max = def ? limitOf(def) : undefined;
    if (def && max !== undefined && items.length > max) throw new TooMany(def.name, max, items.length);
    for (const item of items) checkLiteral(nullable.ofType, null, item, variables);
  } else if (isInputObjectType(nullable) && node.kind === Kind.OBJECT) {
    const fields = nullable.getFields();
    for (const field of node.fields) {
      const fieldDef = fields[field.name.value];
      if (fieldDef) checkLiteral(fieldDef.type, fieldDef, field.value, variables);
    }
  }
}

function checkRaw(type: GraphQLInputType, def: Limited | null, value: unknown) {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return checkRaw(nullable.ofType, null, value);
    const max = def ? limitOf(def) : undefined;
    if (def && max !== undefined && value.length > max) throw new TooMany(def.name, max, value.length);
    if (isInputObjectType(getNamedType(nullable)) || isListType(getNullableType(nullable.ofType))) {
      for (const item of value) checkRaw(nullable.ofType, null, item);
    }
  } else if (isInputObjectType(nullable) && value && typeof value === 'object') {
    for (const field of Object.values(nullable.getFields())) {
      checkRaw(field.type, field, (value as Record<string, unknown>)[field.name]);
    }
  }
}

/** Throws TooMany for the first list over its maximum in this operation. */
function checkOperation(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>) {
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const def = typeInfo.getArgument();
        if (def) checkLiteral(def.type, def, node.value, variables);
      },
    }),
  );
}

/** Every list argument and list input field of the schema, to check each has a maximum. */
export function listInputs(schema: GraphQLSchema): { path: string; def: Limited }[] {
  const found: { path: string; def: Limited }[] = [];
  const hasList = (type: GraphQLInputType) => isListType(getNullableType(type));
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if ('getFields' in type && !isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        for (const arg of (field as { args?: readonly GraphQLArgument[] }).args ?? []) {
          if (hasList(arg.type)) found.push({ path: `${type.name}.${field.name}(${arg.name})`, def: arg });
        }
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (hasList(field.type)) found.push({ path: `${type.name}.${field.name}`, def: field });
      }
    }
  }
  return found;
}

type GuardPayload = {
  args: { schema: GraphQLSchema; document: DocumentNode; variableValues?: Record<string, unknown> | null };
  setResultAndStopExecution(result: { errors: GraphQLError[] }): void;
};

export function useListMaxima(schema: GraphQLSchema): Plugin {
  const unbounded = listInputs(schema).filter(({ def }) => limitOf(def) === undefined);
  // A new list argument without a maximum fails at start-up, not in production.
  if (unbounded.length) throw new Error(`List inputs without maxItems: ${unbounded.map((u) => u.path).join(', ')}`);
  const refuse = ({ args, setResultAndStopExecution }: GuardPayload) => {
    try {
      checkOperation(args.schema, args.document, args.variableValues ?? {});
    } catch (error) {
      if (!(error instanceof TooMany)) throw error;
      setResultAndStopExecution({
        errors: [
          new GraphQLError(error.message, {
            extensions: { code: 'InvalidInput', field: error.field, maxItems: error.maxItems },
          }),
        ],
      });
    }
  };
  return { onExecute: refuse, onSubscribe: refuse };
}
