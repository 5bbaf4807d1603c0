import type { OracleCase } from '../harness';
import { abstractCases } from './abstract';
import { directiveCases } from './directives';
import { entityCases } from './entities';
import { errorCases } from './errors';
import { inaccessibleCases } from './inaccessible';
import { interfaceCases } from './interfaces';
import { mutationCases } from './mutations';
import { nullabilityCases } from './nullability';
import { overrideCases } from './override';
import { providesCases } from './provides';
import { requestCases } from './requests';
import { requiresCases } from './requires';
import { shareableCases } from './shareable';
import { valueCases } from './values';

/** Every case of the suite, one file per federation feature. */
export const cases: OracleCase[] = [
  ...entityCases,
  ...requiresCases,
  ...providesCases,
  ...shareableCases,
  ...overrideCases,
  ...inaccessibleCases,
  ...interfaceCases,
  ...abstractCases,
  ...nullabilityCases,
  ...errorCases,
  ...directiveCases,
  ...mutationCases,
  ...valueCases,
  ...requestCases,
];
