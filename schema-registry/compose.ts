import { composeSchemaContract, composeServices, type CompositionResult } from '@theguild/federation-composition';
import { GraphQLError, parse } from 'graphql';
import { createHash } from 'node:crypto';
import type { SubgraphSnapshot } from './db/schema';

export interface CompositionProblem {
  message: string;
  /** Composition rule that failed, e.g. INVALID_GRAPHQL or FIELD_TYPE_MISMATCH. */
  code?: string;
  /** Subgraphs the problem is about. */
  subgraphs: string[];
  /** Schema coordinate it is about (Type or Type.field), when the message names one. */
  coordinate?: string;
}

export type Composition =
  | { ok: true; supergraphSdl: string; apiSdl: string; hash: string }
  | { ok: false; errors: CompositionProblem[] };

/** Composes a target's subgraphs into a supergraph. Pure: no I/O, so it is cheap to test and to time. */
export function compose(subgraphs: SubgraphSnapshot[]): Composition {
  const services = toServices(subgraphs);
  return outcome(composeServices(services), services);
}

/** Which `@tag`s a contract keeps: with `include` only what carries one of them; never what carries one of `exclude`. */
export interface TagFilter {
  includeTags: string[];
  excludeTags: string[];
  /** Hide types no field of the contract's API reaches any more. */
  removeUnreachableTypes: boolean;
}

/**
 * Composes a schema contract: federation-composition's own tag filter (the one GraphQL Hive uses)
 * marks what the filter drops `@inaccessible` in each subgraph, composes, and optionally hides
 * the types that became unreachable. The result is a full supergraph a gateway can serve.
 */
export function composeContract(subgraphs: SubgraphSnapshot[], filter: TagFilter): Composition {
  const services = toServices(subgraphs);
  const tags = { include: new Set(filter.includeTags), exclude: new Set(filter.excludeTags) };
  return outcome(composeSchemaContract(services, tags, filter.removeUnreachableTypes), services);
}

const toServices = (subgraphs: SubgraphSnapshot[]) =>
  subgraphs
    .toSorted((a, b) => a.name.localeCompare(b.name))
    .map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));

function outcome(result: CompositionResult, services: { name: string }[]): Composition {
  if (result.errors) {
    return {
      ok: false,
      errors: result.errors.map((error) => ({
        message: error.message,
        code: typeof error.extensions?.code === 'string' ? error.extensions.code : undefined,
        ...locate(error.message, new Set(services.map((s) => s.name))),
      })),
    };
  }
  return {
    ok: true,
    supergraphSdl: result.supergraphSdl,
    apiSdl: result.publicSdl,
    hash: sha256(result.supergraphSdl),
  };
}

/**
 * federation-composition reports problems as prose ("[offers] On type \"Offer\", ..." or
 * "... in subgraph \"a\" but ... in subgraph \"b\""); this pulls out the subgraphs and the schema
 * coordinate so the CLI can group problems by subgraph and point at the field.
 */
function locate(message: string, known: Set<string>): { subgraphs: string[]; coordinate?: string } {
  const named = [...message.matchAll(/^\[([\w-]+)\]|subgraphs? "([\w-]+)"|\[([\w-]+)\]/g)].map(
    (m) => m[1] ?? m[2] ?? m[3]!,
  );
  const subgraphs = [...new Set(named.filter((name) => known.has(name)))];
  const coordinate =
    /"([A-Za-z_]\w*\.[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)(?:\(.*?\))?"/.exec(message)?.[1] ??
    /\b(?:type|Type|interface|enum|union|input)\s+"([A-Za-z_]\w*)"/.exec(message)?.[1];
  return coordinate ? { subgraphs, coordinate } : { subgraphs };
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Parses SDL, reporting a syntax error with its line and column. */
export function checkSdl(sdl: string): { ok: true } | { ok: false; message: string; line?: number; column?: number } {
  try {
    parse(sdl);
    return { ok: true };
  } catch (error) {
    if (error instanceof GraphQLError) {
      const location = error.locations?.[0];
      return { ok: false, message: error.message, line: location?.line, column: location?.column };
    }
    throw error;
  }
}
