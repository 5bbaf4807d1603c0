import { z } from 'zod';
import { POLICY_RULE_NAMES, POLICY_SEVERITIES, type PolicyRuleName } from './policy';

/**
 * A target's policy as the API takes it: `{ "<rule>": "off" | "warn" | "error" }` over the rules of
 * POLICY_RULES. An unknown rule or severity is a 400 naming it, so a typo cannot switch a rule off.
 */
export const policyRules = z.record(z.string(), z.enum(POLICY_SEVERITIES)).superRefine((rules, ctx) => {
  for (const name of Object.keys(rules))
    if (!POLICY_RULE_NAMES.includes(name as PolicyRuleName))
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `unknown policy rule "${name}" (known: ${POLICY_RULE_NAMES.join(', ')})`,
      });
});
