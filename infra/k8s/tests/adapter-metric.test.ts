import { afterAll, expect, test } from 'bun:test';
import { createInMemoryGateway, testDeps, testOptions } from '../../../gateway/tests/in-memory';
import { telemetry } from '../../../gateway/telemetry';
import { find, built } from './built';

/**
 * The gateway's HPA scales on a series prometheus-adapter derives from the gateway's own request counter:
 * the counter the rule names must be one a real gateway serves on /metrics, with the labels Prometheus
 * keeps (a renamed metric would leave the HPA without its RPS signal, silently).
 */
const deps = testDeps();
const gateway = createInMemoryGateway({ parts: [telemetry(testOptions().telemetry, deps)] });
afterAll(() => gateway.dispose());

test("the adapter rule's series is the counter the gateway serves", async () => {
  const config = find(built('monitoring'), 'ConfigMap', 'prometheus-adapter').data['config.yaml'];
  const [rule] = (Bun.YAML.parse(config) as { rules: { seriesQuery: string }[] }).rules;
  const series = /^'?([a-zA-Z_:][\w:]*)\{/.exec(rule!.seriesQuery)?.[1];
  expect(series).toBe('autograph_gateway_http_responses_total');

  expect((await gateway.graphql('{ topReview { body } }')).errors).toBeUndefined();
  const scraped = await (await gateway.fetch('/metrics')).text();
  expect(scraped).toMatch(new RegExp(`^${series}\\{status="200"\\} 1$`, 'm'));
});
