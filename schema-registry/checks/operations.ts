import { buildSchema, type DocumentNode, GraphQLError, type GraphQLSchema, parse, validate } from 'graphql';
import LRU from 'lru-cache';
import { sha256 } from '../compose';
import { tooDeep } from '../limits';

/**
 * Operation documents (trusted documents, and those gateways report with usage) nesting deeper
 * than this are invalid: graphql-js parses nesting recursively, and thousands of levels exhaust
 * the stack. Far deeper than any real operation (and than the gateway's own MAX_DEPTH).
 */
const MAX_DOCUMENT_DEPTH = 128;

export interface OperationProblem {
  message: string;
  line?: number;
  column?: number;
}

// Building a schema from SDL costs milliseconds; a check validates many operations against the
// same one or two schemas, and consecutive checks mostly share the current one (least recently
// used go first, so the current one stays while proposals come and go).
const schemas = new LRU<string, GraphQLSchema>({ max: 8 });

export function apiSchema(sdl: string): GraphQLSchema {
  const key = sha256(sdl);
  let schema = schemas.get(key);
  if (!schema) {
    schema = buildSchema(sdl, { assumeValidSDL: true });
    schemas.set(key, schema);
  }
  return schema;
}

/** Parses and validates an operation document against an API schema; [] when it is valid. */
export function validateOperation(schema: GraphQLSchema, document: string): OperationProblem[] {
  const deep = tooDeep(document, MAX_DOCUMENT_DEPTH);
  if (deep)
    return [
      { message: `The document nests deeper than ${MAX_DOCUMENT_DEPTH} levels`, line: deep.line, column: deep.column },
    ];
  let ast: DocumentNode;
  try {
    ast = parse(document);
  } catch (error) {
    if (error instanceof GraphQLError) return [problem(error)];
    throw error;
  }
  return validate(schema, ast).map(problem);
}

const problem = (error: GraphQLError): OperationProblem => ({
  message: error.message,
  line: error.locations?.[0]?.line,
  column: error.locations?.[0]?.column,
});
