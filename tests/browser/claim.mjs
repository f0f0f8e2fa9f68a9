// Drives the claim page in headless Debian Chromium (playwright-core, no
// downloaded browser) with an injected EIP-1193 wallet that forwards to
// anvil's unlocked accounts, so every signature is real. After each step the
// result is checked through the names API and through CCIP-read in node
// (viem: registry → resolver → OffchainLookup → gateway → resolveWithProof),
// not only in the page. Fails on any console error, any page error, and any
// request to a host other than the gateway and the RPC.
//
// usage: node tests/browser/claim.mjs <gateway-url> <rpc-url> <ens-registry> <screenshot-dir>
// (run by tests/tests/page.rs, which starts anvil, the contracts and the gateway)

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import {
  createPublicClient,
  decodeFunctionResult,
  encodeFunctionData,
  getAddress,
  http,
  parseAbi,
  toBytes,
  toHex,
  zeroAddress,
} from 'viem';
import { namehash } from 'viem/ens';
import { nameChangeTypedData } from '../../web/src/names.js';

const [gatewayUrl, rpcUrl, registry, shotDir] = process.argv.slice(2);
if (!shotDir) {
  console.error('usage: claim.mjs <gateway-url> <rpc-url> <ens-registry> <screenshot-dir>');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const dm3Profile = require('@dm3-org/dm3-lib-profile');
const dm3Shared = require('@dm3-org/dm3-lib-shared');

const STEP_TIMEOUT = 20_000;
const started = Date.now();
const log = (...args) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s]`, ...args);

// ---------------------------------------------------------------------------
// The chain and the names API, from node

async function rpc(method, params = []) {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return response.json();
}

const accounts = (await rpc('eth_accounts')).result.map((a) => getAddress(a));
const [alice, bob, carol] = [accounts[1], accounts[2], accounts[3]];

/** The dm3 profile of a names-API view (stored under one of its alias keys). */
const profileOf = (view) => ['network.dm3.profile', 'eth.dm3.profile', 'dm3.profile'].map((k) => view.texts[k]).find(Boolean);

async function apiName(name) {
  const response = await fetch(`${gatewayUrl}/names/${name}`);
  assert.equal(response.status, 200, `GET /names/${name}`);
  return response.json();
}

const chain = createPublicClient({ transport: http(rpcUrl) });
const REGISTRY_ABI = parseAbi(['function resolver(bytes32) view returns (address)']);
const RESOLVE_ABI = parseAbi(['function resolve(bytes name, bytes data) view returns (bytes)']);
const RECORD_ABI = parseAbi([
  'function addr(bytes32) view returns (address)',
  'function text(bytes32, string) view returns (string)',
]);

function dns(name) {
  const out = [];
  for (const label of name.split('.')) out.push(label.length, ...new TextEncoder().encode(label));
  out.push(0);
  return toHex(new Uint8Array(out));
}

/** `addr` and a text record of `name` through the chain with CCIP-read, verified by the resolver. */
async function ccip(name, key) {
  const resolver = await chain.readContract({ address: registry, abi: REGISTRY_ABI, functionName: 'resolver', args: [namehash('dm3.eth')] });
  const node = namehash(name);
  const call = async (functionName, args) => {
    const data = encodeFunctionData({ abi: RECORD_ABI, functionName, args });
    const answer = await chain.readContract({ address: resolver, abi: RESOLVE_ABI, functionName: 'resolve', args: [dns(name), data] });
    return decodeFunctionResult({ abi: RECORD_ABI, functionName, data: answer });
  };
  return { addr: await call('addr', [node]), text: await call('text', [node, key]) };
}

/** A names-API claim by `owner` from node (anvil signs), for the "taken" case. */
async function claimFromNode(name, owner) {
  const info = await (await fetch(`${gatewayUrl}/info`)).json();
  const recordsJson = '{}';
  const deadline = Math.floor(Date.now() / 1000) + 300;
  const typed = nameChangeTypedData(info.names.eip712Domain, { name, owner, recordsJson, nonce: 0, deadline });
  const signature = (await rpc('eth_signTypedData_v4', [owner, JSON.stringify(typed)])).result;
  const body = `{"name":"${name}","owner":"${owner}","records":${recordsJson},"nonce":0,"deadline":${deadline},"signature":"${signature}"}`;
  const response = await fetch(`${gatewayUrl}/names`, { method: 'POST', body });
  assert.equal(response.status, 201, await response.text());
}

/** What dm3's own library makes for `account` (anvil signs): the profile the page must produce. */
async function dm3ProfileOf(account, services) {
  const sign = async (message) => (await rpc('personal_sign', [toHex(toBytes(message)), account])).result;
  return dm3Profile.createProfile(account, services, undefined, { signer: sign });
}

// ---------------------------------------------------------------------------
// The browser and its wallet

const allowed = new Set([new URL(gatewayUrl).origin, new URL(rpcUrl).origin]);
const problems = [];
const requests = [];
const wallet = { account: alice, rejectNext: null, calls: [] };
let expectedConflicts = 0;

const executablePath = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
const userDataDir = mkdtempSync(join(tmpdir(), 'dm3-page-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  viewport: { width: 1280, height: 800 },
});

let exitCode = 1;
try {
  context.on('request', (request) => {
    const url = request.url();
    requests.push(`${request.method()} ${url}`);
    if (!url.startsWith('data:') && !allowed.has(new URL(url).origin)) problems.push(`request to a foreign host: ${url}`);
  });
  await context.exposeFunction('__dm3TestWallet', async (method, params) => {
    wallet.calls.push(method);
    if (wallet.rejectNext === method) {
      wallet.rejectNext = null;
      return { error: { code: 4001, message: 'User rejected the request.' } };
    }
    switch (method) {
      case 'eth_requestAccounts':
      case 'eth_accounts':
        return { result: [wallet.account] };
      case 'personal_sign':
        if (getAddress(params[1]) !== wallet.account) return { error: { code: 4100, message: 'not the selected account' } };
        break;
      case 'eth_signTypedData_v4':
        if (getAddress(params[0]) !== wallet.account) return { error: { code: 4100, message: 'not the selected account' } };
        break;
      default:
    }
    const answer = await rpc(method, params);
    return answer.error ? { error: { code: answer.error.code, message: answer.error.message } } : { result: answer.result };
  });
  await context.addInitScript(() => {
    const listeners = {};
    window.ethereum = {
      isTestWallet: true,
      async request({ method, params }) {
        const answer = await window.__dm3TestWallet(method, params ?? []);
        if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
        return answer.result;
      },
      on(event, fn) {
        (listeners[event] ??= []).push(fn);
      },
      removeListener(event, fn) {
        listeners[event] = (listeners[event] ?? []).filter((f) => f !== fn);
      },
    };
    window.__dm3Emit = (event, value) => (listeners[event] ?? []).forEach((fn) => fn(value));
  });

  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium logs every 4xx fetch; the one 409 this test provokes on purpose is not a page error.
    if (expectedConflicts > 0 && /Failed to load resource: .*status of 409/.test(message.text())) {
      expectedConflicts -= 1;
      return;
    }
    problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

  const textOf = (selector) => page.locator(selector).innerText();
  const waitStatus = async (selector, tone, contains) => {
    const locator = page.locator(`${selector}.${tone}`);
    await locator.filter({ hasText: contains }).waitFor();
    return locator.innerText();
  };

  // --- load and connect
  await claimFromNode('carol.dm3.eth', carol);
  await page.goto(`${gatewayUrl}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  // By keyboard: the skip link comes first, then the connect button.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'connect');
  await page.keyboard.press('Enter');
  await page.locator('#account', { hasText: alice.slice(0, 6) }).waitFor();
  assert.ok(wallet.calls.includes('eth_requestAccounts'));
  assert.equal(await page.locator('#account').getAttribute('title'), alice);
  log('connected', alice);

  // --- availability as the user types
  const type = async (label) => {
    await page.fill('#label', '');
    await page.locator('#label').pressSequentially(label, { delay: 10 });
  };
  await type('carol');
  assert.match(await waitStatus('#availability', 'bad', 'Taken'), new RegExp(carol));
  assert.equal(getAddress((await apiName('carol.dm3.eth')).owner), carol);
  await type('admin');
  assert.match(await waitStatus('#availability', 'bad', 'Reserved'), /admin/);
  const info = await (await fetch(`${gatewayUrl}/info`)).json();
  assert.ok(info.names.reserved.includes('admin'));
  await type('ab');
  assert.match(await waitStatus('#availability', 'bad', 'Too short'), /at least 3/);
  await type('Alice');
  assert.match(await waitStatus('#availability', 'bad', 'Not normalized'), /alice\.dm3\.eth/);
  const normalizedResponse = await fetch(`${gatewayUrl}/names`, { method: 'POST', body: '{"name":"Alice.dm3.eth","owner":"' + alice + '","records":{},"nonce":0,"deadline":1,"signature":"0x00"}' });
  assert.equal((await normalizedResponse.json()).code, 'name_not_normalized', 'the gateway refuses it too');
  await page.click('#use-normalized');
  assert.equal(await page.inputValue('#label'), 'alice');
  assert.match(await waitStatus('#availability', 'ok', 'Available'), /alice\.dm3\.eth/);
  assert.equal((await apiName('alice.dm3.eth')).owner, null);
  log('availability: taken, reserved, too short, not normalized, free');

  // --- a pasted profile: refused when another account signed it, accepted when the owner did
  const expected = await dm3ProfileOf(alice, ['ds.dm3.eth']);
  const carols = await dm3ProfileOf(carol, ['ds.dm3.eth']);
  await page.check('input[name="profile-source"][value="paste"]');
  await page.fill('#pasted', dm3Shared.createJsonDataUri(carols.signedProfile));
  assert.match(await waitStatus('#claim-status', 'bad', 'not signed by'), new RegExp(alice));
  await page.fill('#pasted', JSON.stringify(expected.signedProfile));
  await page.locator('[data-testid="profile-encryption-key"]').waitFor();
  assert.equal(await textOf('[data-testid="profile-encryption-key"]'), expected.keys.encryptionKeyPair.publicKey);
  await page.check('input[name="profile-source"][value="create"]');
  await page.locator('[data-testid="profile-encryption-key"]').waitFor({ state: 'detached' });
  log('pasted profiles: a foreign signature is refused, the owner\'s accepted');

  // --- a profile made the dm3 way; a declined wallet request is shown
  wallet.rejectNext = 'personal_sign';
  await page.click('#create');
  assert.match(await waitStatus('#claim-status', 'bad', 'declined'), /User rejected/);
  await page.click('#create');
  await page.locator('[data-testid="profile-encryption-key"]').waitFor();
  assert.equal(await textOf('[data-testid="profile-encryption-key"]'), expected.keys.encryptionKeyPair.publicKey);
  assert.equal(await textOf('[data-testid="profile-signing-key"]'), expected.keys.signingKeyPair.publicKey);
  log('profile created; keys equal dm3-lib-profile createProfile');

  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: join(shotDir, 'page-1280.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shotDir, 'page-390.png') });
  await page.setViewportSize({ width: 1280, height: 800 });

  // --- a names-API refusal is shown in words: the name is taken between the check and the claim
  await type('dave');
  await waitStatus('#availability', 'ok', 'Available');
  await claimFromNode('dave.dm3.eth', accounts[4]);
  expectedConflicts = 1;
  await page.click('#claim-button');
  assert.match(await waitStatus('#claim-status', 'bad', 'Someone already holds this name'), /already taken/);
  for (let i = 0; i < 100 && expectedConflicts > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(expectedConflicts, 0, 'the gateway answered 409');
  await type('alice');
  await waitStatus('#availability', 'ok', 'Available');
  log('a claim refused by the gateway (name_taken) is explained');

  // --- claim
  await page.focus('#label');
  await page.keyboard.press('Enter'); // submits the claim form

  await waitStatus('#claim-status', 'ok', 'Claimed alice.dm3.eth');
  const claimed = await apiName('alice.dm3.eth');
  assert.equal(getAddress(claimed.owner), alice);
  const expectedRecord = dm3Shared.createJsonDataUri(expected.signedProfile);
  assert.equal(profileOf(claimed), expectedRecord, 'the stored profile is what dm3 makes');
  let resolved = await ccip('alice.dm3.eth', 'network.dm3.profile');
  assert.equal(resolved.addr, alice);
  assert.equal(resolved.text, expectedRecord);
  log('claimed; names API and CCIP-read agree');

  // --- the name resolves in the page
  await page.locator('[data-testid="res-verified"]').waitFor();
  assert.equal(await textOf('[data-testid="res-addr"]'), alice);
  assert.equal(await textOf('[data-testid="res-encryption-key"]'), expected.keys.encryptionKeyPair.publicKey);
  const links = await page.locator('#res-body .links a').evaluateAll((as) => as.map((a) => a.href));
  assert.deepEqual(await page.locator('#res-body .links .label').allTextContents(), ['addr()', 'text(network.dm3.profile)', 'contenthash()']);
  assert.ok(links.length >= 3, `raw answer links: ${links}`);
  for (const link of links) {
    assert.ok(link.startsWith(`${gatewayUrl}/`), link);
    const raw = await fetch(link);
    assert.equal(raw.status, 200, link);
    assert.match((await raw.json()).data, /^0x[0-9a-f]+$/);
  }
  log(`resolved in the page (${links.length} CCIP-read answers linked)`);
  await page.locator('#res-body details summary').click();
  await page.evaluate(() => { document.querySelector('.top').style.position = 'static'; });
  await page.locator('#resolve').screenshot({ path: join(shotDir, 'page-resolution.png') });
  await page.evaluate(() => { document.querySelector('.top').style.position = ''; });

  // --- update the profile and records
  const item = page.locator('li.name-item[data-name="alice.dm3.eth"]');
  await item.locator('summary', { hasText: 'Profile and records' }).click();
  await item.locator('input[id^="ds-"]').fill('ds.dm3.eth, backup.dm3.eth');
  await item.locator('button', { hasText: 'New profile from wallet' }).click();
  await item.locator('p.status.ok', { hasText: 'New profile made' }).waitFor();
  await item.locator('textarea[id^="texts-"]').fill('url=https://dm3.chat\ndescription=hello from the page');
  await item.locator('button', { hasText: 'Sign and save records' }).click();
  await waitStatus('#mine-status', 'ok', 'Saved the records of alice.dm3.eth');
  await page.locator('[data-testid="res-text-url"]', { hasText: 'https://dm3.chat' }).waitFor();
  const updated = await apiName('alice.dm3.eth');
  assert.equal(updated.texts.url, 'https://dm3.chat');
  assert.equal(updated.nonce, claimed.nonce + 1);
  const expectedUpdate = await dm3ProfileOf(alice, ['ds.dm3.eth', 'backup.dm3.eth']);
  assert.equal(profileOf(updated), dm3Shared.createJsonDataUri(expectedUpdate.signedProfile));
  resolved = await ccip('alice.dm3.eth', 'url');
  assert.equal(resolved.text, 'https://dm3.chat');
  assert.equal((await ccip('alice.dm3.eth', 'network.dm3.profile')).text, profileOf(updated));
  assert.equal(await textOf('[data-testid="res-delivery-services"]'), 'ds.dm3.eth, backup.dm3.eth');
  log('updated; names API and CCIP-read agree');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => { document.querySelector('.top').style.position = 'static'; });
  await page.locator('li.name-item[data-name="alice.dm3.eth"] summary', { hasText: 'Profile and records' }).click();
  await page.locator('#mine').screenshot({ path: join(shotDir, 'page-manage-390.png') });
  await page.evaluate(() => { document.querySelector('.top').style.position = ''; });
  await page.setViewportSize({ width: 1280, height: 800 });

  // --- transfer to bob
  const aliceItem = page.locator('li.name-item[data-name="alice.dm3.eth"]');
  await aliceItem.locator('summary', { hasText: 'Transfer' }).click();
  await aliceItem.locator('input[id^="to-"]').fill(bob);
  await aliceItem.locator('button', { hasText: 'Sign and transfer' }).click();
  await waitStatus('#mine-status', 'ok', 'Transferred alice.dm3.eth');
  await page.locator('[data-testid="res-addr"]', { hasText: bob }).waitFor();
  await page.locator('#mine-empty', { hasText: 'You hold no name' }).waitFor();
  assert.equal(getAddress((await apiName('alice.dm3.eth')).owner), bob);
  resolved = await ccip('alice.dm3.eth', 'network.dm3.profile');
  assert.equal(resolved.addr, bob);
  assert.equal(resolved.text, '', 'the old owner\'s profile is gone');
  log('transferred to', bob);

  // --- bob (switching accounts in the wallet) releases it
  wallet.account = bob;
  await page.evaluate((account) => window.__dm3Emit('accountsChanged', [account]), bob);
  const bobItem = page.locator('li.name-item[data-name="alice.dm3.eth"]');
  await bobItem.waitFor();
  await bobItem.locator('summary', { hasText: 'Release' }).click();
  await bobItem.locator('button', { hasText: 'Sign and release' }).click();
  await waitStatus('#mine-status', 'ok', 'Released alice.dm3.eth');
  await page.locator('[data-testid="res-addr"]', { hasText: zeroAddress }).waitFor();
  assert.equal((await apiName('alice.dm3.eth')).owner, null);
  resolved = await ccip('alice.dm3.eth', 'network.dm3.profile');
  assert.equal(resolved.addr, zeroAddress);
  assert.equal(resolved.text, '');
  await page.fill('#label', 'alice');
  await waitStatus('#availability', 'ok', 'Available');
  log('released; free again');

  assert.deepEqual(problems, [], problems.join('\n'));
  const hosts = [...new Set(requests.map((r) => new URL(r.split(' ')[1]).origin))];
  // The recorder saw the page's traffic: both the gateway and the RPC.
  assert.deepEqual(new Set(hosts), allowed, `hosts seen: ${hosts}`);
  log(`ok: ${requests.length} requests, all to ${hosts.join(' and ')}; no console errors`);
  exitCode = 0;
} catch (error) {
  console.error(error);
  if (problems.length) console.error('also recorded:\n' + problems.join('\n'));
  try {
    const page = context.pages()[0];
    if (page) await page.screenshot({ path: join(tmpdir(), 'dm3-page-failure.png'), fullPage: true });
    console.error(`failure screenshot: ${join(tmpdir(), 'dm3-page-failure.png')}`);
  } catch {
    // the browser is gone: nothing more to show
  }
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(exitCode);
