import { Hono } from 'hono';
import { z } from 'zod';
import { CHECK_RUN_KINDS } from '../db/schema';
import { subgraphName } from '../names';
import type { Guard, RegistryDeps } from './deps';
import { fail, idNumber, intParam, type RegistryEnv } from './http';

const filterQuery = z.object({
  subgraph: subgraphName.optional(),
  kind: z.enum(CHECK_RUN_KINDS).optional(),
  ok: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  author: z.string().max(200).optional(),
  before: z.coerce.number().pipe(idNumber).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** Stored check runs (`POST …/checks` runs one, `GET …/checks` lists them): every check and every change's check, with inputs and the whole result. */
export function checkRunRoutes(deps: RegistryDeps, guard: Guard) {
  const routes = new Hono<RegistryEnv>();

  routes.get('/targets/:target/checks', guard('read'), async (c) => {
    const filter = filterQuery.safeParse(c.req.query());
    if (!filter.success)
      return fail(
        c,
        400,
        'BAD_REQUEST',
        filter.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    return c.json(await deps.store.checkRuns.list(c.req.param('target'), filter.data));
  });

  routes.get('/targets/:target/checks/:id', guard('read'), async (c) => {
    const id = intParam(c, 'id');
    if (id instanceof Response) return id;
    const run = await deps.store.checkRuns.get(c.req.param('target'), id);
    return run ? c.json(run) : fail(c, 404, 'NOT_FOUND', `No check run ${id} in target ${c.req.param('target')}`);
  });

  return routes;
}
