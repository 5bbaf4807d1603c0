import { buildSchema, GraphQLError, parse, validate, type GraphQLSchema } from 'graphql';
import LRU from 'lru-cache';
import { sha256 } from '../compose';

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
  let ast;
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
