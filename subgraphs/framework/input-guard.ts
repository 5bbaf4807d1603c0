import { BREAK, Kind, visit, type ArgumentNode, type ASTNode, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { badInput } from './errors';

/**
 * Text PostgreSQL cannot store or that is not text at all: a NUL character (PostgreSQL refuses it
 * in `text`, so it fails as an internal error deep in a statement) or a UTF-16 surrogate without
 * its pair (JSON's `"\ud800"`, which is not a Unicode string and cannot be encoded as UTF-8).
 */
function isInvalidText(value: string): boolean {
  return value.includes('\0') || !value.isWellFormed();
}

const MESSAGE = 'Text must not contain NUL characters (U+0000) or unpaired UTF-16 surrogates';

/**
 * Refuses, before any resolver runs, an operation with invalid text (see `isInvalidText`)
 * anywhere in its input: string literals in the document (arguments, input objects, lists,
 * variable defaults, directives) and every string in the variables, object keys included, at any
 * depth. The error is BAD_USER_INPUT with `field` naming the argument or the variable path
 * (`$input.email`); the value itself is never echoed or logged.
 */
export function useStringInputGuard(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const field = invalidVariable(args.variableValues) ?? invalidLiteral(args.document);
      if (field !== null) setResultAndStopExecution({ errors: [badInput(MESSAGE, field)] });
    },
  };
}

/** The path of the first invalid string in the variables, or null. Iterative: variables can nest deeply. */
function invalidVariable(variables: unknown): string | null {
  if (variables === null || typeof variables !== 'object') return null;
  const pending: [value: unknown, path: string][] = [[variables, '$']];
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (typeof value === 'string') {
      if (isInvalidText(value)) return path;
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) pending.push([value[i], `${path}[${i}]`]);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (isInvalidText(key)) return path;
        pending.push([item, path === '$' ? `$${key}` : `${path}.${key}`]);
      }
    }
  }
  return null;
}

/**
 * Literals are the document's: judged once per document (Yoga's parse cache hands every request
 * with the same query text the same DocumentNode), not walked again on every request.
 */
const literalVerdicts = new WeakMap<DocumentNode, string | null>();

function invalidLiteral(document: DocumentNode): string | null {
  let verdict = literalVerdicts.get(document);
  if (verdict === undefined) literalVerdicts.set(document, (verdict = firstInvalidLiteral(document)));
  return verdict;
}

/** The argument holding the first invalid string literal of the document, or null. */
function firstInvalidLiteral(document: DocumentNode): string | null {
  let found: string | null = null;
  visit(document, {
    StringValue(node, _key, parent, _path, ancestors) {
      if (!isInvalidText(node.value)) return;
      const argument = [...ancestors, parent]
        .reverse()
        .find((a): a is ArgumentNode => !Array.isArray(a) && (a as ASTNode).kind === Kind.ARGUMENT);
      found = argument?.name.value ?? 'query';
      return BREAK;
    },
  });
  return found;
}
