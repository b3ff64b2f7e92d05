// The browser test (run by `.ci/browser`): a real envgate (`serve --demo`) on a fresh
// database, the console's production build behind `vite preview`, and Debian's
// Chromium driven by playwright-core, with every request to another origin refused
// so that "works offline" is what is checked. It runs the README's first query in
// the playground, checks live updates across two envgate processes with a real
// graphql-ws client, then walks the console: save Staging's options, see the revision
// bump, test the connection, lose a race to a second page and resolve the conflict,
// copy options between environments, switch the builder's environment and reload.
// Then the shipping screens, as two admins and a builder in browser contexts (and time
// zones) of their own: a promotion preview with a blocker and its link, a request for
// Production that reaches an admin's open inbox live, two approvals that move the
// version on every open page, a cancelled request, a release with a note, a rollback,
// a schedule cancelled and one that runs while the page is open, the environment diff,
// and a refusal in words.
//
// Every wait is bounded (a step waits at most STEP_MS, the whole run OVERALL_MS), the
// children are killed and the database dropped at the end whatever happened, and
// screenshots land in SCREENSHOT_DIR (failure-*.png when a step fails).
//
// Settings (environment): ENVGATE_BIN (default: ../../target/debug/envgate),
// CHROMIUM (/usr/bin/chromium), SCREENSHOT_DIR (../../target/browser-screenshots),
// ENVGATE_BROWSER_PG (the server the test database is made on).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
const consoleDir = path.resolve(here, '..');
const repo = path.resolve(consoleDir, '../..');

const ENVGATE_BIN = path.resolve(process.env.ENVGATE_BIN ?? path.join(repo, 'target/debug/envgate'));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR ?? path.join(repo, 'target/browser-screenshots'));
const PG = process.env.ENVGATE_BROWSER_PG ?? 'postgres://postgres@127.0.0.1:5432';

/** The longest any single wait may take (a page load, a click's answer). */
const STEP_MS = 20_000;
/** envgate's start: migrating a fresh database and seeding the demo workspace. */
const START_MS = 90_000;
/** The whole run, after which everything is torn down and the test fails. */
const OVERALL_MS = 420_000;

/** The README's first query. */
const README_QUERY =
  '{ viewer { workspaceId role } edition { name licenseStatus } environments { id name priority isDefault } }';

// --- what must be cleaned up -----------------------------------------------------

const children: { name: string; process: ChildProcess; log: string[] }[] = [];
const pages = new Map<string, Page>();
let browser: Browser | undefined;
const database = `envgate_browser_${randomBytes(6).toString('hex')}`;
const stateDir = mkdtempSync(path.join(tmpdir(), 'envgate-browser-'));
let databaseCreated = false;

function log(message: string) {
  console.log(`[browser] ${message}`);
}

function psql(sql: string) {
  const result = spawnSync('psql', [`${PG}/postgres`, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) {
    throw new Error(`psql failed (${sql}): ${result.stderr || result.error?.message}`);
  }
}

/** Stops the children (TERM, then KILL after 5 s), drops the database and removes the
 *  state directory. Synchronous where it matters so that the watchdog and signal
 *  handlers can call it too. */
async function cleanUp() {
  if (browser) {
    const closing = browser.close().catch(() => undefined);
    browser = undefined;
    await Promise.race([closing, sleep(10_000)]);
  }
  for (const child of children.splice(0)) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) continue;
    child.process.kill('SIGTERM');
    const exited = await Promise.race([
      new Promise<boolean>((resolve) => child.process.once('exit', () => resolve(true))),
      sleep(5_000).then(() => false),
    ]);
    if (!exited) child.process.kill('SIGKILL');
  }
  if (databaseCreated) {
    databaseCreated = false;
    try {
      psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    } catch (error) {
      console.error(`[browser] could not drop ${database}: ${(error as Error).message}`);
    }
  }
  rmSync(stateDir, { recursive: true, force: true });
}

function killNow() {
  for (const child of children) child.process.kill('SIGKILL');
  if (databaseCreated) {
    try {
      psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    } catch {
      // reported by the caller's exit status already
    }
  }
  rmSync(stateDir, { recursive: true, force: true });
}

// `timeout` signals the whole process group, so a second signal may come while
// cleaning up: it must not cut the cleanup short. (Run this file with
// `node --import tsx`, not the `tsx` command: that one relays signals to a child
// process and kills it outright when it does not answer within 30 ms, which a
// synchronous cleanup can't.)
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error(`[browser] ${signal}: stopping`);
    killNow();
    process.exit(1);
  });
}

const watchdog = setTimeout(() => {
  console.error(`[browser] FAILED: the run took longer than ${OVERALL_MS / 1000} s`);
  void saveFailureScreenshots().finally(() => {
    killNow();
    process.exit(1);
  });
}, OVERALL_MS);

// --- helpers ---------------------------------------------------------------------

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true, at most `timeoutMs`. */
async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = STEP_MS) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${String(last)})` : ''}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd = repo) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const entry = { name, process: child, log: [] as string[] };
  const keep = (chunk: Buffer) => {
    entry.log.push(chunk.toString());
    if (entry.log.length > 2000) entry.log.splice(0, 1000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => entry.log.push(`\n[${name} exited: ${signal ?? code}]\n`));
  children.push(entry);
  return entry;
}

async function httpOk(url: string) {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return response.ok;
}

/** The text of `locator` comes to contain `text`. */
async function waitForText(locator: Locator, text: string) {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: STEP_MS });
}

async function revisionOf(page: Page): Promise<number> {
  const text = await page.getByTestId('revision').innerText({ timeout: STEP_MS });
  const match = /Revision (\d+)/.exec(text);
  if (!match) throw new Error(`no revision in "${text}"`);
  return Number(match[1]);
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function screenshot(page: Page, name: string) {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, timeout: STEP_MS });
  log(`screenshot: ${file}`);
}

async function saveFailureScreenshots() {
  for (const [name, page] of pages) {
    try {
      await screenshot(page, `failure-${name}`);
    } catch (error) {
      console.error(`[browser] no screenshot of ${name}: ${(error as Error).message}`);
    }
  }
  for (const child of children) {
    const file = path.join(SCREENSHOT_DIR, `failure-${child.name}.log`);
    writeFileSync(file, child.log.join(''));
    console.error(`[browser] ${child.name}'s output: ${file}`);
  }
}

/** Run in the playground page: opens the WebSocket GraphiQL would open for a
 *  subscription, with the page's pre-filled headers as the connection_init payload,
 *  and answers with the result of `{ viewer { role } }` over it. Plain JavaScript
 *  source, because tsx would add helpers to a compiled function that the page lacks. */
const WEBSOCKET_PROBE = `new Promise((resolve) => {
  const block = document.getElementById('envgate-playground-config');
  const headers = JSON.parse(block ? block.textContent : '{}').headers;
  const url = new URL('/graphql', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const timer = setTimeout(() => { socket.close(); resolve('no answer within 10 s'); }, 10000);
  function done(result) { clearTimeout(timer); socket.close(); resolve(result); }
  socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: headers }));
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    if (message.type === 'connection_ack') {
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ viewer { role } }' } }));
    } else if (message.type === 'next' || message.type === 'error') {
      done(JSON.stringify(message.payload));
    }
  };
  socket.onerror = () => done('WebSocket error');
  socket.onclose = (event) => done('closed with ' + event.code);
})`;

/** A POST to envgate's GraphQL endpoint with the token; the JSON answer. */
async function graphqlPost(url: string, token: string, query: string, variables: object = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(STEP_MS),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

/** A POST that must succeed: its `data`, or the errors thrown. */
async function api(url: string, token: string, query: string, variables: object = {}) {
  const answer = await graphqlPost(url, token, query, variables);
  if (answer.errors || !answer.data) throw new Error(`${query}: ${JSON.stringify(answer.errors)}`);
  return answer.data;
}

/** A token for the demo workspace minted by `envgate token` (the development secret
 *  of the run's state directory). */
function mintToken(env: NodeJS.ProcessEnv, workspaceId: string, role: string, sub: string): string {
  const result = spawnSync(ENVGATE_BIN, ['token', '--workspace', workspaceId, '--role', role, '--sub', sub], {
    env: { ...env, ENVGATE_STATE_DIR: stateDir },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const token = result.stdout?.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) {
    throw new Error(`envgate token failed: ${result.stderr || result.error?.message}`);
  }
  return token;
}

/** Whether `page` has sent a graphql-ws `subscribe` for `field`: the console's
 *  subscription is on its way (envgate registers it before anything later can
 *  happen on another connection that the test drives through several UI steps). */
function watchSubscriptions(page: Page, field: string): () => boolean {
  let sent = false;
  page.on('websocket', (socket) => {
    socket.on('framesent', (frame) => {
      const text = typeof frame.payload === 'string' ? frame.payload : frame.payload.toString();
      if (text.includes('"subscribe"') && text.includes(field)) sent = true;
    });
  });
  return () => sent;
}

/** Live updates across processes with a real graphql-ws client: subscribed on the first
 *  envgate (token as several clients send it: lowercase key, no `Bearer `), a save
 *  made through a second envgate process on the same database arrives, masked. */
async function checkLiveUpdates(first: string, second: string, token: string) {
  const setup = await graphqlPost(first, token, '{ dataSources(first: 1) { nodes { id } } environments { id name } }');
  const dataSourceId: string = setup.data.dataSources.nodes[0].id;
  const staging: string = setup.data.environments.find((e: { name: string }) => e.name === 'Staging').id;
  const client = createClient({
    url: `${first.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: token },
    retryAttempts: 0,
  });
  try {
    const events: any[] = [];
    let failure: unknown;
    let started = false;
    client.on('connected', () => (started = true));
    client.subscribe(
      {
        query:
          'subscription($id: ID) { dataSourceOptionsChanged(dataSourceId: $id) { environment { name } revision values { key value isSet } } }',
        variables: { id: dataSourceId },
      },
      { next: (value) => events.push(value), error: (error) => (failure = error), complete: () => undefined },
    );
    await waitUntil('the subscription to be acknowledged', () => started);
    // The server registers the subscription right after the ack; a save made before it
    // is read as the starting state, so save until an event arrives (bounded).
    let revision = 0;
    await waitUntil('an event for the save made through the second process', async () => {
      if (failure) throw new Error(`subscription failed: ${JSON.stringify(failure)}`);
      if (events.length > 0) return true;
      const saved = await graphqlPost(
        second,
        token,
        'mutation($i: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $i) { revision } }',
        { i: { dataSourceId, environmentId: staging, options: [{ key: 'password', value: 'saved-through-b' }] } },
      );
      revision = saved.data?.updateDataSourceOptions.revision ?? revision;
      return false;
    });
    const event = events[0].data.dataSourceOptionsChanged;
    check(event.environment.name === 'Staging', `the event is Staging's: ${JSON.stringify(event)}`);
    check(event.revision <= revision && event.revision > 1, `a saved revision: ${JSON.stringify(event)}`);
    const password = event.values.find((v: { key: string }) => v.key === 'password');
    check(password.value === null && password.isSet, `the password is masked: ${JSON.stringify(password)}`);
    check(!JSON.stringify(events).includes('saved-through-b'), 'no secret in any event');
    log(`live update across processes: revision ${event.revision} arrived over graphql-ws`);
  } finally {
    await client.dispose();
    // The console's walk starts from a Staging without a password.
    await graphqlPost(
      second,
      token,
      'mutation($i: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $i) { revision } }',
      { i: { dataSourceId, environmentId: staging, options: [{ key: 'password', value: null }] } },
    );
  }
}

// --- the run ---------------------------------------------------------------------

async function main() {
  // Only this run's pictures and logs in the directory afterwards.
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const ours =
    /^(playground|data-sources|environment-switcher|promote-[a-z-]+|approvals-inbox|releases|diff)\.png$|^failure-/;
  for (const old of readdirSync(SCREENSHOT_DIR).filter((file) => ours.test(file))) {
    rmSync(path.join(SCREENSHOT_DIR, old), { force: true });
  }

  // envgate, as a new user starts it, on a database of its own.
  psql(`CREATE DATABASE ${database}`);
  databaseCreated = true;
  const envgatePort = await freePort();
  const envgateUrl = `http://127.0.0.1:${envgatePort}`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ENVGATE_')));
  const envgate = start('envgate', ENVGATE_BIN, ['serve', '--demo'], {
    ...env,
    DATABASE_URL: `${PG}/${database}`,
    ENVGATE_STATE_DIR: stateDir,
    ENVGATE_LISTEN: `127.0.0.1:${envgatePort}`,
    RUST_LOG: 'info',
  });
  let token = '';
  await waitUntil(
    'envgate to print the demo token',
    () => {
      if (envgate.process.exitCode !== null) throw new Error(`envgate exited: ${envgate.log.join('')}`);
      const jwt = envgate.log
        .join('')
        .split('\n')
        .find((line) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(line.trim()));
      token = jwt?.trim() ?? '';
      return token !== '';
    },
    START_MS,
  );
  await waitUntil('envgate to be ready', () => httpOk(`${envgateUrl}/readyz`));
  log(`envgate is up at ${envgateUrl} on database ${database}`);

  // A second envgate process on the same database and state (as behind a load
  // balancer), and a graphql-ws client subscribed to the first.
  const secondPort = await freePort();
  const secondUrl = `http://127.0.0.1:${secondPort}`;
  start('envgate-2', ENVGATE_BIN, ['serve', '--demo'], {
    ...env,
    DATABASE_URL: `${PG}/${database}`,
    ENVGATE_STATE_DIR: stateDir,
    ENVGATE_LISTEN: `127.0.0.1:${secondPort}`,
    RUST_LOG: 'info',
  });
  await waitUntil('the second envgate to be ready', () => httpOk(`${secondUrl}/readyz`), START_MS);
  await checkLiveUpdates(envgateUrl, secondUrl, token);

  // The console's production build, with `/graphql` proxied to that envgate.
  const consolePort = await freePort();
  const consoleUrl = `http://127.0.0.1:${consolePort}`;
  start(
    'vite',
    process.execPath,
    [path.join(consoleDir, 'node_modules/vite/bin/vite.js'), 'preview', '--port', String(consolePort), '--strictPort'],
    { ...env, ENVGATE_URL: envgateUrl },
    consoleDir,
  );
  await waitUntil('the console to be served', () => httpOk(`${consoleUrl}/`), 30_000);
  log(`the console is up at ${consoleUrl}`);

  // Chromium with a fresh profile (playwright-core makes one per launch) and without
  // its own background traffic; any request to another origin is refused and noted.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    timeout: 60_000,
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // Each person gets a browser context of their own (own storage, own WebSocket),
  // in a time zone of their own.
  const allowed = new Set([envgateUrl, consoleUrl]);
  const foreign: string[] = [];
  const newContext = async (timezoneId: string) => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, timezoneId });
    context.setDefaultTimeout(STEP_MS);
    context.setDefaultNavigationTimeout(STEP_MS);
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (allowed.has(url.origin)) return route.continue();
      foreign.push(url.href);
      return route.abort('blockedbyclient');
    });
    return context;
  };
  // The first admin works from India (UTC+05:30 all year), so that the schedule's
  // time in the picker differs from the UTC instant envgate stores.
  const context = await newContext('Asia/Kolkata');

  // 1. The playground, offline: the README's first query, with the pre-filled token.
  const playground = await context.newPage();
  pages.set('playground', playground);
  const playgroundErrors: string[] = [];
  playground.on('console', (message) => {
    if (message.type() === 'error') playgroundErrors.push(message.text());
  });
  playground.on('pageerror', (error) => playgroundErrors.push(error.message));
  await playground.goto(`${envgateUrl}/`);
  await playground.locator('.graphiql-container').waitFor();
  await playground.locator('.graphiql-query-editor .CodeMirror').first().click();
  await playground.keyboard.press('Control+A');
  await playground.keyboard.insertText(README_QUERY);
  await playground.locator('.graphiql-execute-button').click();
  const responseText = () =>
    playground.evaluate(() => {
      const editor = document.querySelector('.graphiql-response .CodeMirror') as
        | (Element & { CodeMirror?: { getValue(): string } })
        | null;
      return editor?.CodeMirror?.getValue() ?? '';
    });
  await waitUntil('the playground to show the answer', async () => (await responseText()).includes('licenseStatus'));
  const answer = JSON.parse(await responseText()) as {
    data?: {
      viewer: { role: string };
      edition: { name: string; licenseStatus: string };
      environments: { name: string; isDefault: boolean }[];
    };
    errors?: unknown;
  };
  check(answer.data && !answer.errors, `the query answered without errors: ${JSON.stringify(answer)}`);
  check(answer.data.viewer.role === 'ADMIN', 'the demo token is pre-filled (role ADMIN)');
  check(answer.data.edition.name === 'ENTERPRISE' && answer.data.edition.licenseStatus === 'VALID', 'Enterprise');
  check(
    answer.data.environments.map((e) => e.name).join() === 'Development,Staging,Production',
    'three environments by priority',
  );
  await playground.getByRole('button', { name: /^Prettify query/ }).click();
  await waitUntil('the answer to be on screen', async () =>
    (await playground.locator('.graphiql-response').innerText()).includes('Staging'),
  );
  await screenshot(playground, 'playground');
  // The same page may open GraphiQL's subscription WebSocket: its policy allows it and
  // envgate accepts the pre-filled token as the connection_init payload.
  const overWebSocket = (await playground.evaluate(WEBSOCKET_PROBE)) as string;
  check(overWebSocket === '{"data":{"viewer":{"role":"ADMIN"}}}', `the WebSocket answered: ${overWebSocket}`);
  check(playgroundErrors.length === 0, `no errors in the playground's console: ${playgroundErrors.join(' | ')}`);
  log('playground: the README query answered offline; the WebSocket accepts the pre-filled token');

  // 2. The console's data-source screen.
  const first = await context.newPage();
  pages.set('console', first);
  await first.goto(`${consoleUrl}/`);
  await first.getByLabel('API token').fill(token);
  await first.getByRole('button', { name: 'Use token' }).click();
  await waitForText(first.locator('.whoami'), 'ENTERPRISE (VALID)');
  for (const name of ['Development', 'Staging', 'Production']) {
    await first.getByRole('tab', { name }).waitFor();
  }
  await first.getByRole('tab', { name: 'Staging' }).click();
  await waitForText(first.getByRole('tabpanel'), 'Save Staging');
  const r0 = await revisionOf(first);
  await first.getByLabel('SSL mode').selectOption('prefer');
  check((await first.getByTestId('secret-password').innerText()) === 'not set', 'no Staging password at first');
  await first.getByRole('button', { name: 'Set new password' }).click();
  await first.getByLabel('New password').fill('staging-secret');
  await first.getByRole('button', { name: 'Save Staging' }).click();
  await waitForText(first.getByRole('status'), `Saved Staging: revision ${r0} → ${r0 + 1}.`);
  await waitForText(first.getByTestId('revision'), `Revision ${r0 + 1}`);
  await waitForText(first.getByTestId('secret-password'), 'set');
  check((await first.getByLabel('SSL mode').inputValue()) === 'prefer', 'the saved value shows');
  log(`data sources: Staging saved, revision ${r0} -> ${r0 + 1}`);

  await first.getByRole('button', { name: 'Test connection' }).click();
  await waitForText(first.getByTestId('test-result'), 'Connected to Staging');
  log('data sources: Staging connects');

  // A colleague saves Staging from a second page meanwhile...
  const second = await context.newPage();
  pages.set('console-second', second);
  await second.goto(first.url());
  await waitForText(second.getByTestId('revision'), `Revision ${r0 + 1}`);
  await second.getByLabel('SSL mode').selectOption('disable');
  await second.getByRole('button', { name: 'Save Staging' }).click();
  await waitForText(second.getByRole('status'), `Saved Staging: revision ${r0 + 1} → ${r0 + 2}.`);
  // ...so the first page's save, made from revision r0 + 1, is a conflict.
  await first.getByRole('button', { name: 'Set new password' }).click();
  await first.getByLabel('New password').fill('another-secret');
  await first.getByRole('button', { name: 'Save Staging' }).click();
  const conflict = first.getByRole('alert');
  await waitForText(conflict, 'Not saved: someone else changed Staging while you were editing.');
  await waitForText(conflict, `You started from revision ${r0 + 1}; it is now at revision ${r0 + 2}.`);
  await screenshot(first, 'data-sources');
  // Applying the change on top keeps the colleague's edit (a save is a patch).
  await first.getByRole('button', { name: 'Apply mine on top' }).click();
  await waitForText(first.getByRole('status'), `Saved Staging: revision ${r0 + 2} → ${r0 + 3}.`);
  check((await first.getByLabel('SSL mode').inputValue()) === 'disable', "the colleague's SSL mode stays");
  check((await first.getByRole('alert').count()) === 0, 'the conflict is gone');
  log('data sources: a stale save is REVISION_CONFLICT, shown and resolved');

  // Copy from another environment, secrets included.
  await first.getByRole('tab', { name: 'Development' }).click();
  await waitForText(first.getByRole('tabpanel'), 'Save Development');
  const d0 = await revisionOf(first);
  await first.getByLabel('Copy from').selectOption({ label: 'Staging' });
  await first.getByLabel('including secrets').check();
  await first.getByRole('button', { name: 'Copy onto Development' }).click();
  await waitForText(
    first.getByRole('status'),
    `Copied Staging's options and secrets onto Development: revision ${d0} → ${d0 + 1}.`,
  );
  await waitForText(first.getByTestId('secret-password'), 'set');
  log('data sources: Staging copied onto Development');

  // 3. The app builder's environment switcher, remembered across a reload.
  await first.getByRole('link', { name: 'App builder' }).click();
  await waitForText(first.getByTestId('released'), 'runs on Production');
  const environment = first.getByLabel('Environment', { exact: true });
  const chosen = () => environment.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.text ?? '');
  const before = await chosen();
  const target = before === 'Staging' ? 'Development' : 'Staging';
  await environment.selectOption({ label: target });
  await waitForText(first.getByRole('status'), `You now build against ${target}`);
  await first.reload();
  await waitForText(first.getByTestId('released'), 'runs on Production');
  await waitUntil(`the switcher to come back on ${target}`, async () => (await chosen()) === target);
  await screenshot(first, 'environment-switcher');
  log(`environment switcher: ${before} -> ${target}, still ${target} after a reload`);

  await shipping({ envgateUrl, consoleUrl, token, env, first, newContext });

  check(foreign.length === 0, `no request left the machine, but: ${foreign.join(', ')}`);
}

/** Signs `page` in with `token` through the console's token form. */
async function signIn(page: Page, consoleUrl: string, token: string, hash: string) {
  await page.goto(`${consoleUrl}/${hash}`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Use token' }).click();
  await waitForText(page.locator('.whoami'), 'ENTERPRISE (VALID)');
}

const QUERY_SETUP = `{
  viewer { workspaceId userId }
  environments { id name }
  dataSources(first: 10) { nodes { id name } }
  apps(first: 1) { nodes { id name versions { id name environment { name } } } }
}`;

/** 4-7: promote with a preview and approvals, the approvals inbox, releases, the diff;
 *  two admins (the demo's and alice) and a builder (bob), each in a browser context of
 *  their own. */
async function shipping({
  envgateUrl,
  consoleUrl,
  token,
  env,
  first,
  newContext,
}: {
  envgateUrl: string;
  consoleUrl: string;
  token: string;
  env: NodeJS.ProcessEnv;
  first: Page;
  newContext: (timezoneId: string) => Promise<BrowserContext>;
}) {
  const setup = await api(envgateUrl, token, QUERY_SETUP);
  const workspaceId: string = setup.viewer.workspaceId;
  const admin: string = setup.viewer.userId;
  const envId = (name: string): string => setup.environments.find((e: { name: string }) => e.name === name).id;
  const app = setup.apps.nodes[0];
  const versionId = (name: string): string => app.versions.find((v: { name: string }) => v.name === name).id;
  const demoPg: string = setup.dataSources.nodes[0].id;
  const alice = mintToken(env, workspaceId, 'admin', 'alice');
  const bob = mintToken(env, workspaceId, 'builder', 'bob');

  // What the walk starts from, through the API: a MongoDB data source with
  // credentials in Production only, used by v3 (with the demo's PostgreSQL), and
  // Production asking two admins' approval.
  const mongo = await api(
    envgateUrl,
    token,
    'mutation($i: CreateDataSourceInput!) { createDataSource(input: $i) { id } }',
    {
      i: {
        name: 'Orders Mongo',
        kind: 'mongodb',
        environmentId: envId('Production'),
        options: [{ key: 'connection_string', value: 'mongodb://127.0.0.1:27017/orders' }],
      },
    },
  );
  const mongoId: string = mongo.createDataSource.id;
  await api(
    envgateUrl,
    token,
    'mutation($v: ID!, $d: [ID!]!) { setAppVersionDataSources(versionId: $v, dataSourceIds: $d) { id } }',
    {
      v: versionId('v3'),
      d: [demoPg, mongoId],
    },
  );
  await api(envgateUrl, token, 'mutation($id: ID!) { setEnvironmentApprovals(id: $id, requiredApprovals: 2) { id } }', {
    id: envId('Production'),
  });

  // 4. The builder previews v3's promotion: Orders Mongo blocks it, with a link to its
  //    Staging tab.
  const bobContext = await newContext('Europe/Berlin');
  const builder = await bobContext.newPage();
  pages.set('builder', builder);
  await signIn(builder, consoleUrl, bob, `#/promote/${app.id}/${versionId('v3')}`);
  const preview = builder.getByTestId('preview');
  await waitForText(preview, 'v3: Development → Staging');
  await waitForText(builder.getByTestId('blocker'), 'Orders Mongo is missing Connection string');
  await waitForText(builder.getByTestId('reasons'), 'Orders Mongo');
  check(await builder.getByRole('button', { name: 'Promote to Staging' }).isDisabled(), 'no promotion past a blocker');
  await screenshot(builder, 'promote-blockers');
  await builder.getByRole('link', { name: 'Open Orders Mongo in Staging' }).click();
  await waitForText(builder.getByRole('tab', { selected: true }), 'Staging');
  await waitForText(builder.getByTestId('secret-connection_string'), 'not set');
  check((await builder.getByLabel('Data source').inputValue()) === mongoId, "the link opens Orders Mongo's tab");
  log("promote: v3's preview names Orders Mongo's missing connection string; its link opens the Staging tab");

  // An admin gives Staging its credentials; back on the preview, v3 may go.
  await api(
    envgateUrl,
    token,
    'mutation($i: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $i) { revision } }',
    {
      i: {
        dataSourceId: mongoId,
        environmentId: envId('Staging'),
        options: [{ key: 'connection_string', value: 'mongodb://127.0.0.1:27017/orders-staging' }],
      },
    },
  );
  await builder.goBack();
  await waitForText(preview, 'Every data source it uses is configured in Staging.');
  await builder.getByRole('button', { name: 'Promote to Staging' }).click();
  await waitForText(builder.getByRole('status'), 'v3 is now in Staging.');
  await waitForText(builder.getByTestId('version-v3').getByTestId('version-environment'), 'Staging');
  await waitForText(preview, 'v3: Staging → Production');
  await waitForText(builder.getByTestId('approvals-needed'), 'Production needs 2 approvals by admins.');
  log('promote: v3 promoted into Staging; Production needs two approvals');

  // 5. The first admin's inbox is open in another context before bob asks.
  const inboxA = await first.context().newPage();
  pages.set('inbox-admin', inboxA);
  const subscribedA = watchSubscriptions(inboxA, 'promotionRequestChanged');
  await inboxA.goto(`${consoleUrl}/#/approvals`);
  await waitForText(inboxA.getByTestId('waiting'), 'Nothing waits for review.');
  await waitUntil("the inbox's subscription to be sent", subscribedA);

  await builder.getByLabel('Note for the reviewers').fill('Orders are ready for customers');
  await builder.getByRole('button', { name: 'Request promotion to Production' }).click();
  await waitForText(builder.getByRole('status'), 'Requested: Production needs 2 approvals');
  await waitForText(builder.getByTestId('request-approvals'), '0 of 2 approvals');

  // It shows in the admin's inbox without a reload.
  const cardA = inboxA.getByTestId('waiting').getByTestId('request');
  await waitForText(cardA, 'Demo app · v3: Staging → Production');
  await waitForText(cardA, 'requested by bob');
  await waitForText(cardA, 'Orders are ready for customers');
  await cardA.getByLabel('Comment').fill('Looks good');
  await cardA.getByRole('button', { name: 'Approve' }).click();
  await waitForText(cardA.getByTestId('request-approvals'), '1 of 2 approvals');
  await waitForText(cardA, 'You reviewed it; waiting for other admins.');
  await screenshot(inboxA, 'approvals-inbox');
  // The builder sees the review live too.
  await waitForText(builder.getByTestId('request-approvals'), '1 of 2 approvals');
  log(`approvals: bob's request reached ${admin}'s inbox live; one approval`);

  // 6. The second admin approves: the version moves to Production.
  const aliceContext = await newContext('America/New_York');
  const inboxB = await aliceContext.newPage();
  pages.set('inbox-alice', inboxB);
  await signIn(inboxB, consoleUrl, alice, '#/approvals');
  const cardB = inboxB.getByTestId('waiting').getByTestId('request');
  await waitForText(cardB, `approved by ${admin}`);
  await cardB.getByLabel('Comment').fill('Ship it');
  await cardB.getByRole('button', { name: 'Approve' }).click();
  const decidedB = inboxB.getByTestId('decided').getByTestId('request').first();
  await waitForText(decidedB.getByTestId('request-status'), 'approved: promoted');
  await waitForText(decidedB.getByTestId('request-version-environment'), 'Production');
  // Everyone else sees it without a reload: the first admin's inbox, and the
  // builder's versions and request (the version is one cached object).
  await waitForText(inboxA.getByTestId('waiting'), 'Nothing waits for review.');
  await waitForText(inboxA.getByTestId('decided').getByTestId('request-status').first(), 'approved: promoted');
  await waitForText(builder.getByTestId('version-v3').getByTestId('version-environment'), 'Production');
  await waitForText(builder.getByTestId('request-status'), 'approved: promoted');
  await waitForText(preview, 'v3 is in Production, the last environment');
  await screenshot(builder, 'promote-approved');
  log('approvals: alice approved; v3 moved to Production on every open page');

  // A request is its requester's to cancel: alice asks for v2 and thinks better of it.
  await inboxB.goto(`${consoleUrl}/#/promote/${app.id}/${versionId('v2')}`);
  await waitForText(inboxB.getByTestId('preview'), 'v2: Staging → Production');
  await inboxB.getByRole('button', { name: 'Request promotion to Production' }).click();
  const mine = inboxB.getByTestId('preview').getByTestId('request');
  await waitForText(mine, 'requested by alice (you)');
  check((await mine.getByRole('button', { name: 'Approve' }).count()) === 0, "no review of one's own request");
  await mine.getByRole('button', { name: 'Cancel my request' }).click();
  await waitForText(mine.getByTestId('request-status'), 'cancelled by the requester');
  await waitForText(inboxA.getByTestId('decided').getByTestId('request-status').first(), 'cancelled by the requester');
  log('approvals: alice cancelled her own request; the inbox shows it');

  // A promotion from a stale page: alice moves v4 while the first admin looks at it.
  const v4 = await api(envgateUrl, token, 'mutation($a: ID!) { createAppVersion(appId: $a, name: "v4") { id } }', {
    a: app.id,
  });
  await inboxA.goto(`${consoleUrl}/#/promote/${app.id}/${v4.createAppVersion.id}`);
  await waitForText(inboxA.getByTestId('preview'), 'v4: Development → Staging');
  await api(
    envgateUrl,
    alice,
    'mutation($v: ID!, $f: ID!) { promoteAppVersion(versionId: $v, fromEnvironmentId: $f) { id } }',
    { v: v4.createAppVersion.id, f: envId('Development') },
  );
  await inboxA.getByRole('button', { name: 'Promote to Staging' }).click();
  const conflict = inboxA.getByTestId('preview').getByRole('alert');
  await waitForText(conflict, 'Someone moved this version meanwhile; the screen now shows where it is.');
  await waitForText(conflict, '(VERSION_CONFLICT)');
  await waitForText(inboxA.getByTestId('preview'), 'v4: Staging → Production');
  log('promote: a promotion from a stale page is VERSION_CONFLICT, said in words, and the preview moves on');

  // 7. Releases, by the first admin (in India): v3 with a note, a rollback, a
  //    schedule cancelled and one that fires while the page is open.
  const releases = inboxA;
  pages.set('releases', releases);
  await releases.goto(`${consoleUrl}/#/releases/${app.id}`);
  await waitForText(releases.getByTestId('released-now'), 'Running now: v1 on Production');
  const latest = () => releases.getByTestId('history').getByTestId('release').first();
  const releaseNow = releases.locator('fieldset', { hasText: 'Release now' });
  await releaseNow.getByLabel('Version').selectOption({ label: 'v3' });
  await releaseNow.getByLabel('Release note').fill('Orders for everyone');
  await releaseNow.getByRole('button', { name: 'Release', exact: true }).click();
  await waitForText(releaseNow.getByRole('status'), 'Released v3.');
  await waitForText(latest(), `v3${admin}Orders for everyonerelease`);
  await waitForText(releases.getByTestId('released-now'), 'Running now: v3');
  await releaseNow.getByRole('button', { name: 'Roll back' }).click();
  await waitForText(releaseNow.getByRole('status'), 'Rolled back: v1 runs again.');
  await waitForText(latest(), `v1${admin}rollback`);
  await waitForText(releases.getByTestId('released-now'), 'Running now: v1');
  log('releases: v3 released with a note, then rolled back to v1');

  // The picker takes the admin's wall-clock time (UTC+05:30); envgate gets UTC.
  const kolkata = (instant: Date) => new Date(instant.getTime() + 330 * 60_000).toISOString().slice(0, 19);
  const scheduleForm = releases.locator('fieldset', { hasText: 'Schedule a release' });
  const schedule = async (at: Date, note: string) => {
    await scheduleForm.getByLabel('Version').selectOption({ label: 'v3' });
    await scheduleForm.getByLabel('Release at').fill(kolkata(at));
    // (ICU may name the zone by its older name, Asia/Calcutta.)
    await waitForText(scheduleForm.getByTestId('schedule-utc'), `envgate stores ${at.toISOString()} (UTC).`);
    await scheduleForm.getByLabel('Note').fill(note);
    await scheduleForm.getByRole('button', { name: 'Schedule' }).click();
    await waitForText(scheduleForm.getByRole('status'), 'Scheduled v3 for');
  };
  const wholeSecond = (ms: number) => new Date(Math.ceil(ms / 1000) * 1000);
  const tomorrow = wholeSecond(Date.now() + 86_400_000);
  await schedule(tomorrow, 'Tomorrow, maybe');
  const stored = await api(
    envgateUrl,
    token,
    'query($id: ID!) { app(id: $id) { scheduledReleases { id at note status } } }',
    { id: app.id },
  );
  const planned = stored.app.scheduledReleases.find((s: { note: string }) => s.note === 'Tomorrow, maybe');
  check(Date.parse(planned.at) === tomorrow.getTime(), `stored in UTC: ${planned.at} is ${tomorrow.toISOString()}`);
  const tomorrowRow = releases.getByTestId('scheduled-release').filter({ hasText: 'Tomorrow, maybe' });
  await tomorrowRow.getByRole('button', { name: 'Cancel' }).click();
  await waitForText(tomorrowRow.getByTestId('scheduled-status'), 'cancelled');
  log(`releases: a release scheduled at ${kolkata(tomorrow)} in Kolkata was stored as ${planned.at}, then cancelled`);

  // Far enough ahead for the form's few clicks; envgate runs it within 5 s of its time.
  const soon = wholeSecond(Date.now() + 15_000);
  await schedule(soon, 'Scheduled go-live');
  const soonRow = releases.getByTestId('scheduled-release').filter({ hasText: 'Scheduled go-live' });
  await waitForText(soonRow.getByTestId('scheduled-status'), 'scheduled');
  await waitUntil(
    'the scheduled release to run while the page is open',
    async () => (await soonRow.getByTestId('scheduled-status').innerText()) === 'done',
    45_000,
  );
  await waitForText(latest(), `v3${admin}Scheduled go-livescheduled`);
  await waitForText(releases.getByTestId('released-now'), 'Running now: v3');
  await screenshot(releases, 'releases');
  log('releases: the release scheduled 15 s ahead ran and showed without a reload');

  // 8. The diff: Staging holds a password that Production lacks (the walk set it).
  const diff = releases;
  await diff.goto(`${consoleUrl}/#/diff/${envId('Staging')}/${envId('Production')}`);
  const options = diff.getByTestId('diff-data-sources');
  const password = options.getByTestId('diff-option').filter({ hasText: 'Password (secret)' });
  await waitForText(password.locator('td.from'), 'set');
  await waitForText(password.locator('td.to'), 'not set');
  const mongoString = options.getByTestId('diff-option').filter({ hasText: 'Connection string (secret)' });
  await waitForText(mongoString.locator('td.to'), 'set (differs)');
  const text = await diff.locator('main').innerText();
  for (const secret of ['another-secret', 'staging-secret', 'mongodb://']) {
    check(!text.includes(secret), `no secret value in the diff (${secret})`);
  }
  await screenshot(diff, 'diff');
  log("diff: Staging's password is set and Production's is not; no secret value shows");

  // An error in words: the builder may not roll back Production's release.
  await builder.goto(`${consoleUrl}/#/releases/${app.id}`);
  await builder.getByRole('button', { name: 'Roll back' }).click();
  const refusal = builder.locator('fieldset', { hasText: 'Release now' }).getByRole('alert');
  await waitForText(refusal, 'Your role may not do this here; an admin can.');
  await waitForText(refusal, '(FORBIDDEN)');
  await waitForText(builder.getByTestId('released-now'), 'Running now: v3');
  log('releases: a builder rolling back Production is told, in words, that an admin can');
}

const started = Date.now();
main()
  .then(async () => {
    clearTimeout(watchdog);
    await cleanUp();
    log(`PASSED in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${SCREENSHOT_DIR}`);
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    clearTimeout(watchdog);
    console.error(`[browser] FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await saveFailureScreenshots();
    await cleanUp();
    console.error(`[browser] screenshots and logs in ${SCREENSHOT_DIR}`);
    process.exit(1);
  });
