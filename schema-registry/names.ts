import { z } from 'zod';

/**
 * The registry's one rule for names, of targets (`main`, `staging`) and of subgraphs alike:
 * lower-case letters, digits and dashes, starting with a letter, at most 63 characters, so a name
 * fits a URL path segment unescaped. Everything that accepts a target or subgraph name (the API,
 * the registry's and the launcher's configuration, the gateway's) checks it with these.
 */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
const RULE = 'lower-case letters, digits and dashes, starting with a letter, at most 63 characters';

export const TARGET_NAME_RULE = `must be a target name: ${RULE}`;

export const targetName = z.string().regex(NAME_PATTERN, TARGET_NAME_RULE);
export const subgraphName = z.string().regex(NAME_PATTERN, `must be a subgraph name: ${RULE}`);
export const contractName = z.string().regex(NAME_PATTERN, `must be a contract name: ${RULE}`);
