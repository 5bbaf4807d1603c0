/**
 * The console in a real browser: Debian's Chromium driven by playwright-core (Playwright's own
 * browser download cannot run here), against a real registry on a fresh PostgreSQL database.
 * Screenshots are taken on every run; they replace docs/console/ (the README shows them) only with
 * CONSOLE_SCREENSHOTS=update, so a test run leaves the checkout as it was.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createLogger } from '../../kit/log';
import type { RunningService } from '../../kit/service';
import { createTempDatabase } from '../../tests/support/temp-database';
import { main as cli } from '../cli';
import { createRegistryClient } from '../client';
import { startRegistry } from '../server';

const ADMIN = 'console-browser-admin-token';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS =
  process.env.CONSOLE_SCREENSHOTS === 'update'
    ? fileURLToPath(new URL('../../docs/console/', import.meta.url))
    : mkdtempSync(join(tmpdir(), 'autograph-console-shots-'));
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])';
const products = (fields: string) =>
  `${LINK}\n"""A car for sale"""\ntype Product @key(fields: "id") { id: ID! ${fields} }\ntype Query { product(id: ID!): Product products: [Product!]! }`;
const reviews = `${LINK}\ntype Product @key(fields: "id") { id: ID! rating: Float }`;
const V1 = products('name: String! price: Int!');
const V2 = products('name: String! price: Int! @deprecated(reason: "use priceCents") priceCents: Int');
/** Drops Product.price: breaking for clients. */
const V3 = products('name: String! priceCents: Int');

let database: Awaited<ReturnType<typeof createTempDatabase>>;
let registry: RunningService;
let browser: Browser;
let readToken: string;
let writeToken: string;

beforeAll(async () => {
  database = await createTempDatabase('registry_console');
  registry = await startRegistry({
    port: 0,
    databaseUrl: database.url,
    adminToken: ADMIN,
    targets: ['shop'],
    logger: createLogger('t', 'silent'),
  });
  const admin = createRegistryClient({ registryUrl: registry.url, target: 'shop', token: ADMIN });
  const publish = (name: string, sdl: string, extra: Record<string, unknown> = {}) =>
    admin.publishSubgraph({ name, url: `http://127.0.0.1:9/${name}`, sdl, ...extra });
  await publish('products', V1, { author: 'ann', commit: 'a1b2c3' });
  await publish('reviews', reviews, { author: 'bob', commit: 'd4e5f6' });
  await publish('products', V2, { author: 'ann', commit: 'f00d01' });
  await publish('products', V3, { author: 'cy', commit: 'bad0001', force: true });
  await admin.reportUsage({
    operations: [
      {
        hash: 'op-product-name',
        name: 'ProductName',
        document: '{ product(id: 1) { name } }',
        coordinates: ['Query.product', 'Product.name'],
        client: 'web',
        count: 40,
      },
      {
        hash: 'op-product-list',
        name: 'ProductList',
        document: '{ products { id rating } }',
        coordinates: ['Query.products', 'Product.id', 'Product.rating'],
        client: 'ios',
        count: 7,
      },
    ],
  });
  readToken = (await admin.createToken({ kind: 'read', name: 'dashboards' })).token;
  writeToken = (await admin.createToken({ kind: 'write', name: 'ci' })).token;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await registry?.stop();
  await database?.drop();
});

async function signIn(token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${registry.url}/console/login`);
  await page.fill('input[name=token]', token);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');
  return page;
}

/** A form POST sent by the page itself (the browser adds Origin and the session cookie). */
const post = (page: Page, path: string, fields: Record<string, string>) =>
  page.evaluate(
    async ([path, fields]) => {
      const response = await fetch(path, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
      // A redirect (the run stored, then shown) is opaque to a manual fetch.
      return { status: response.status, redirected: response.type === 'opaqueredirect', text: await response.text() };
    },
    [path, fields] as const,
  );
const csrfOf = (page: Page) => page.inputValue('form[action="/console/logout"] input[name=_csrf]');

test('a wrong token is refused at sign-in and sets no cookie', async () => {
  const page = await signIn('agr_write_not-a-real-token');
  expect(await page.textContent('.error')).toContain('not valid');
  expect(await page.context().cookies()).toHaveLength(0);
  await page.goto(`${registry.url}/console/t/shop/versions`);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  await page.context().close();
});

test('the admin browses targets, history, a diff of two versions, subgraphs, the explorer and operations', async () => {
  const page = await signIn(ADMIN);
  const [cookie] = await page.context().cookies();
  expect(cookie).toMatchObject({ name: 'autograph_console', httpOnly: true, sameSite: 'Strict', path: '/console' });
  expect(cookie!.value).not.toContain(ADMIN);
  expect(await page.textContent('table')).toContain('shop');
  await page.screenshot({ path: join(SHOTS, 'targets.png') });

  await page.click('a[href="/console/t/shop/versions"]');
  const history = await page.textContent('table');
  for (const expected of ['ann', 'cy', 'a1b2c3', 'bad0001', 'forced', 'publish reviews'])
    expect(history).toContain(expected);
  // Diff v1 → v4 through htmx: only #diff is swapped and the URL follows.
  await page.selectOption('select[name=from]', '1');
  await page.selectOption('select[name=to]', '4');
  await page.click('form.filters button');
  await page.waitForURL(/from=1&to=4/);
  const diff = page.locator('#diff');
  await expect(diff.locator('h2').textContent()).resolves.toContain('v1 → v4');
  expect(await diff.locator('li.breaking').first().textContent()).toContain('Product.price');
  expect(await diff.locator('li.safe').count()).toBeGreaterThan(0);
  await page.screenshot({ path: join(SHOTS, 'versions-diff.png'), fullPage: true });

  await page.click('header nav >> text=Subgraphs');
  expect(await page.textContent('#subgraph-reviews')).toContain('http://127.0.0.1:9/reviews');
  await page.click('#subgraph-products summary');
  expect(await page.textContent('#subgraph-products pre')).toContain('priceCents');

  await page.click('header nav >> text=Explorer');
  const name = page.locator('tr[id="Product.name"]');
  expect(await name.textContent()).toContain('ProductName');
  expect(await name.textContent()).toContain('web');
  expect(await page.locator('tr[id="Product.rating"]').textContent()).toContain('reviews');
  expect(await page.locator('tr[id="Product.priceCents"]').textContent()).toContain('unused');
  expect(await page.textContent('#unused')).toContain('Product.priceCents');
  expect(await page.locator('tr[id="Product.name"]').getAttribute('class')).toBeNull();
  await page.screenshot({ path: join(SHOTS, 'explorer.png'), fullPage: true });

  await page.click('header nav >> text=Operations');
  const operations = await page.textContent('table.operations');
  expect(operations).toContain('ProductName');
  expect(operations).toMatch(/ProductName\s*web\s*40/);
  await page.screenshot({ path: join(SHOTS, 'operations.png') });

  await page.click('header nav >> text=Tokens');
  expect(await page.textContent('table')).toContain('dashboards');
  await page.click('header nav >> text=Audit log');
  expect(await page.textContent('table')).toContain('token:create');
  await page.context().close();
});

test('a write token runs a check from the console, and a check from the CLI appears in the list', async () => {
  const page = await signIn(writeToken);
  expect(new URL(page.url()).pathname).toBe('/console/t/shop/versions');
  await page.click('header nav >> text=Checks');
  await page.click('details.run-check summary');
  await page.fill('input[name=subgraph]', 'products');
  await page.fill('input[name=commit]', 'c0ffee');
  await page.fill('textarea[name=sdl]', products('priceCents: Int'));
  await page.click('details.run-check button[type=submit]');
  await page.waitForURL(/\/checks\/\d+$/);
  expect(await page.textContent('h1')).toMatch(/Check run #\d+/);
  const report = await page.textContent('main');
  expect(report).toContain('failed');
  expect(report).toContain('c0ffee');
  expect(await page.locator('li.breaking').first().textContent()).toContain('Product.name');
  await page.screenshot({ path: join(SHOTS, 'check-run.png'), fullPage: true });

  const dir = mkdtempSync(join(tmpdir(), 'console-check-'));
  const file = join(dir, 'products.graphql');
  writeFileSync(file, products('name: String! priceCents: Int color: String'));
  const lines: string[] = [];
  const connection = ['--registry', registry.url, '--token', writeToken, '--target', 'shop'];
  const code = await cli(
    ['schema:check', file, '--service', 'products', '--author', 'cli-user', '--commit', 'cafe42', ...connection],
    (line) => lines.push(line),
    (line) => lines.push(line),
  );
  expect(code).toBe(0);
  const listed: string[] = [];
  expect(await cli(['check:list', '--author', 'cli-user', ...connection], (line) => listed.push(line))).toBe(0);
  expect(listed.join('\n')).toMatch(/check products {2}passed/);

  await page.goto(`${registry.url}/console/t/shop/checks?author=cli-user`);
  const rows = page.locator('table.check-runs tbody tr');
  expect(await rows.count()).toBe(1);
  expect(await rows.first().textContent()).toContain('cafe42');
  expect(await rows.first().textContent()).toContain('passed');
  await page.goto(`${registry.url}/console/t/shop/checks?result=failed`);
  const failed = await page.textContent('table.check-runs');
  expect(failed).toContain('c0ffee');
  expect(failed).not.toContain('cafe42');
  await page.screenshot({ path: join(SHOTS, 'checks.png') });

  // A POST without the session's CSRF token, or with another session's, is refused.
  const noToken = await post(page, '/console/t/shop/checks', { subgraph: 'products', sdl: V1 });
  expect(noToken.status).toBe(403);
  expect(noToken.text).toContain('CSRF');
  const other = await signIn(writeToken);
  const foreign = await post(page, '/console/t/shop/checks', {
    subgraph: 'products',
    sdl: V1,
    _csrf: await csrfOf(other),
  });
  expect(foreign.status).toBe(403);
  await other.context().close();
  // With its own token the same POST runs.
  const own = await post(page, '/console/t/shop/checks', { subgraph: 'products', sdl: V3, _csrf: await csrfOf(page) });
  expect(own.redirected).toBe(true);
  await page.context().close();
}, 30_000);

test('a read token sees but cannot act, and signing out ends the session', async () => {
  const page = await signIn(readToken);
  await page.goto(`${registry.url}/console/t/shop/checks`);
  expect(await page.locator('details.run-check').count()).toBe(0);
  expect(await page.textContent('main')).toContain('needs a write token');
  expect(await page.locator('table.check-runs tbody tr').count()).toBeGreaterThan(0);
  const before = await page.locator('table.check-runs tbody tr').count();
  const refused = await post(page, '/console/t/shop/checks', {
    subgraph: 'products',
    sdl: V1,
    _csrf: await csrfOf(page),
  });
  expect(refused.status).toBe(403);
  expect(refused.text).toContain('needs a write token');
  await page.reload();
  expect(await page.locator('table.check-runs tbody tr').count()).toBe(before);
  // Admin pages and other targets are out of reach.
  await page.goto(`${registry.url}/console/t/shop/tokens`);
  expect(await page.textContent('h1')).toBe('Not allowed');
  await page.goto(`${registry.url}/console/audit`);
  expect(await page.textContent('h1')).toBe('Not allowed');
  await page.screenshot({ path: join(SHOTS, 'read-token-refused.png') });

  await page.goto(`${registry.url}/console/t/shop/versions`);
  await page.click('header button[type=submit]');
  await page.waitForURL(/\/console\/login$/);
  expect(await page.context().cookies()).toHaveLength(0);
  await page.goto(`${registry.url}/console/t/shop/versions`);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  await page.screenshot({ path: join(SHOTS, 'login.png') });
  await page.context().close();
});
