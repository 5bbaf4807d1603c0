import catalogBrowse from './catalog-browse';
import mixedRealistic from './mixed-realistic';
import offerCard from './offer-card';
import offerList2hop from './offer-list-2hop';
import persistedHit from './persisted-hit';
import searchFacets from './search-facets';
import type { Scenario } from './types';
import writeMix from './write-mix';

export type { Operation, Scenario, Thresholds, VariableContext } from './types';

export const SCENARIOS: Record<string, Scenario> = Object.fromEntries(
  [catalogBrowse, offerList2hop, offerCard, searchFacets, writeMix, mixedRealistic, persistedHit].map((scenario) => [
    scenario.name,
    scenario,
  ]),
);

export function getScenario(name: string): Scenario {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario "${name}"; known: ${Object.keys(SCENARIOS).join(', ')}`);
  return scenario;
}
