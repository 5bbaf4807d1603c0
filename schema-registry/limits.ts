import { type DefinitionNode, Lexer, parse, Source, TokenKind } from 'graphql';
import { z } from 'zod';
import type { SubgraphSnapshot } from './db/schema';

/**
 * Bounds on what the registry parses and composes, checked before either runs. Without them one
 * request could exhaust the stack: graphql-js parses nesting recursively (`[[[…Int…]]]`), and
 * federation-composition walks chains of types recursively (about 6,000 chained types overflow
 * it). The defaults are generous for real subgraphs and far from those limits.
 */
export interface SchemaLimits {
  /** Bytes (UTF-8) of one subgraph's SDL. */
  maxSdlBytes: number;
  /** Nesting of brackets, braces and parentheses in one SDL. */
  maxSdlDepth: number;
  /** Distinct type names across the subgraphs of a target, as they would be composed. */
  maxTypes: number;
}

/** 1 MiB per SDL, 64 levels of nesting, 2,000 types per target (a third of what overflowed). */
export const DEFAULT_SCHEMA_LIMITS: SchemaLimits = { maxSdlBytes: 1024 * 1024, maxSdlDepth: 64, maxTypes: 2_000 };

/** Request bodies stop at 5 MB (api/index.ts): a larger SDL limit could never apply. */
const SDL_BYTES_CEILING = 4 * 1024 * 1024;
/** Past this the composer's recursion gets close to the end of the stack. */
const TYPES_CEILING = 5_000;

/** The limits' variables, validated at start like every other (see `registryEnv`). */
export const schemaLimitsEnv = {
  REGISTRY_MAX_SDL_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .max(SDL_BYTES_CEILING, `must be at most ${SDL_BYTES_CEILING} (request bodies stop at 5 MB)`)
    .default(DEFAULT_SCHEMA_LIMITS.maxSdlBytes),
  REGISTRY_MAX_SDL_DEPTH: z.coerce
    .number()
    .int()
    .min(8, 'must be at least 8')
    .max(1_000, 'must be at most 1000')
    .default(DEFAULT_SCHEMA_LIMITS.maxSdlDepth),
  REGISTRY_MAX_TYPES: z.coerce
    .number()
    .int()
    .positive()
    .max(TYPES_CEILING, `must be at most ${TYPES_CEILING} (longer chains of types overflow the composer's stack)`)
    .default(DEFAULT_SCHEMA_LIMITS.maxTypes),
};

export const schemaLimits = (raw: {
  REGISTRY_MAX_SDL_BYTES: number;
  REGISTRY_MAX_SDL_DEPTH: number;
  REGISTRY_MAX_TYPES: number;
}): SchemaLimits => ({
  maxSdlBytes: raw.REGISTRY_MAX_SDL_BYTES,
  maxSdlDepth: raw.REGISTRY_MAX_SDL_DEPTH,
  maxTypes: raw.REGISTRY_MAX_TYPES,
});

/** An input over a limit: how the API answers it. */
export interface LimitRefusal {
  status: 400 | 413;
  code: 'SDL_TOO_LARGE' | 'SDL_TOO_DEEP' | 'TOO_MANY_TYPES';
  message: string;
  details: { limit: number; actual: number; variable: string; line?: number; column?: number };
}

/** Where `text` (SDL or an operation) first nests deeper than `max`, or null if it never does. */
export function tooDeep(text: string, max: number): { depth: number; line: number; column: number } | null {
  // graphql-js's lexer is iterative and skips strings and comments; it is the parser that recurses.
  const lexer = new Lexer(new Source(text));
  let depth = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.PAREN_L)
        depth++;
      else if (
        token.kind === TokenKind.BRACE_R ||
        token.kind === TokenKind.BRACKET_R ||
        token.kind === TokenKind.PAREN_R
      )
        depth--;
      if (depth > max) return { depth, line: token.line, column: token.column };
    }
  } catch {
    // A lexical error: the parser reports it with its position, and never gets past it.
  }
  return null;
}

/** Size and nesting of one SDL, measured before anything parses it. A syntax error is left to the parser. */
export function measureSdl(sdl: string, limits: SchemaLimits): LimitRefusal | null {
  const bytes = Buffer.byteLength(sdl, 'utf8');
  if (bytes > limits.maxSdlBytes) {
    return {
      status: 413,
      code: 'SDL_TOO_LARGE',
      message: `The SDL is ${bytes} bytes; the limit is ${limits.maxSdlBytes} (REGISTRY_MAX_SDL_BYTES)`,
      details: { limit: limits.maxSdlBytes, actual: bytes, variable: 'REGISTRY_MAX_SDL_BYTES' },
    };
  }
  const deep = tooDeep(sdl, limits.maxSdlDepth);
  if (!deep) return null;
  return {
    status: 400,
    code: 'SDL_TOO_DEEP',
    message: `The SDL nests deeper than ${limits.maxSdlDepth} levels at line ${deep.line}, column ${deep.column} (REGISTRY_MAX_SDL_DEPTH)`,
    details: {
      limit: limits.maxSdlDepth,
      actual: deep.depth,
      variable: 'REGISTRY_MAX_SDL_DEPTH',
      line: deep.line,
      column: deep.column,
    },
  };
}

/** Distinct type names the subgraphs define or extend: the size of what composing them builds. */
export function measureTypes(subgraphs: SubgraphSnapshot[], limits: SchemaLimits): LimitRefusal | null {
  const names = new Set<string>();
  for (const subgraph of subgraphs) {
    let definitions: readonly DefinitionNode[];
    try {
      definitions = parse(subgraph.sdl, { noLocation: true }).definitions;
    } catch {
      continue; // composition reports it
    }
    for (const definition of definitions) {
      if (/Type(Definition|Extension)$/.test(definition.kind) && 'name' in definition && definition.name)
        names.add(definition.name.value);
    }
  }
  if (names.size <= limits.maxTypes) return null;
  return {
    status: 400,
    code: 'TOO_MANY_TYPES',
    message: `The subgraphs would compose ${names.size} types; the limit is ${limits.maxTypes} (REGISTRY_MAX_TYPES)`,
    details: { limit: limits.maxTypes, actual: names.size, variable: 'REGISTRY_MAX_TYPES' },
  };
}
