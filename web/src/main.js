// The claim page: connect an EIP-1193 wallet, check a name as it is typed,
// make (or paste) a dm3 profile, claim with an EIP-712 signature, manage the
// names the account holds, and watch a name resolve through the chain.
//
// The DOM is built with textContent only (no innerHTML with data), and every
// wallet or gateway failure is shown to the user.

import { getAddress, isAddress, isHex, recoverMessageAddress } from 'viem';
import * as api from './api.js';
import { checkLabel, nameChangeTypedData } from './names.js';
import {
  PROFILE_KEY,
  PROFILE_KEYS,
  createProfile,
  parseSignedProfile,
  profileCreationMessage,
  profileRecord,
  stableStringify,
} from './profile.js';
import { lookupUrl, resolveByRegistry, resolveByUniversalResolver } from './resolve.js';

/** Seconds a signed write stays valid (the gateway allows at most 24 h). */
const DEADLINE_SECONDS = 600;

const state = {
  config: null,
  info: null,
  rules: null,
  domain: null,
  account: null,
  chainId: null,
  profile: null,
  myNames: [],
  checkSeq: 0,
  available: null,
};

const $ = (id) => document.getElementById(id);

/** `h('p', {class: 'x'}, 'text', child)`: an element with attributes and children. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Shows `message` in a status line with a tone (`ok`, `bad`, `busy`, or none). */
function setStatus(el, message, tone = '') {
  el.textContent = message;
  el.className = `status ${tone}`.trim();
}

/** A page-wide message (role=alert), e.g. a wrong network; `actions` are buttons. */
function notice(message, tone = 'bad', actions = []) {
  const el = $('notice');
  el.replaceChildren(h('span', {}, message), ...actions);
  el.className = `notice ${tone}`;
  el.hidden = !message;
}

const short = (address) => `${address.slice(0, 6)}…${address.slice(-4)}`;

// ---------------------------------------------------------------------------
// Wallet

/** A wallet failure in words; the wallet's own message is kept. */
function walletError(error) {
  const code = error?.code;
  const detail = error?.message || String(error);
  if (code === 4001) return new Error(`You declined the request in your wallet. (${detail})`);
  if (code === 4100) return new Error(`The wallet did not authorize this account or method. (${detail})`);
  if (code === 4200) return new Error(`Your wallet does not support this request. (${detail})`);
  if (code === 4900 || code === 4901) return new Error(`The wallet is not connected to a chain. (${detail})`);
  if (code === -32002) return new Error(`Your wallet already has a request waiting: open it. (${detail})`);
  return new Error(`The wallet request failed: ${detail}`);
}

async function wallet(method, params) {
  if (!window.ethereum) {
    throw new Error('No wallet found: install a browser wallet (such as MetaMask) and reload the page.');
  }
  try {
    return await window.ethereum.request(params === undefined ? { method } : { method, params });
  } catch (error) {
    throw walletError(error);
  }
}

const personalSign = (message) => wallet('personal_sign', [stringToHexUtf8(message), state.account]);

function stringToHexUtf8(text) {
  return '0x' + [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function connect() {
  const button = $('connect');
  button.disabled = true;
  try {
    const accounts = await wallet('eth_requestAccounts');
    await setAccount(accounts?.[0]);
    await checkChain();
  } catch (error) {
    notice(error.message);
  } finally {
    button.disabled = false;
  }
}

async function setAccount(account) {
  state.account = account ? getAddress(account) : null;
  state.profile = null;
  renderProfileSummary();
  const pill = $('account');
  pill.hidden = !state.account;
  pill.textContent = state.account ? short(state.account) : '';
  pill.title = state.account ?? '';
  $('connect').textContent = state.account ? 'Switch account' : 'Connect wallet';
  $('connect').classList.toggle('connected', Boolean(state.account));
  await refreshMyNames();
  onLabelInput();
}

async function checkChain() {
  if (!state.domain) return;
  const chainId = Number.parseInt(await wallet('eth_chainId'), 16);
  state.chainId = chainId;
  if (chainId === Number(state.domain.chainId)) {
    notice('');
    return;
  }
  const want = Number(state.domain.chainId);
  const switchButton = h('button', {
    type: 'button',
    onclick: async () => {
      try {
        await wallet('wallet_switchEthereumChain', [{ chainId: '0x' + want.toString(16) }]);
        await checkChain();
      } catch (error) {
        notice(error.message);
      }
    },
  }, 'Switch network');
  notice(`Your wallet is on chain ${chainId}; names here are signed for chain ${want}.`, 'bad', [switchButton]);
}

// ---------------------------------------------------------------------------
// Availability

let debounce = null;

function currentName() {
  return `${$('label').value.trim()}.${$('parent').value}`;
}

function onLabelInput() {
  clearTimeout(debounce);
  state.available = null;
  updateClaimButton();
  const label = $('label').value.trim();
  const useNormalized = $('use-normalized');
  useNormalized.hidden = true;
  const el = $('availability');
  if (!label || !state.rules) {
    setStatus(el, state.rules ? `Type a name to see whether it is free.` : '');
    return;
  }
  const verdict = checkLabel(label, $('parent').value, state.rules);
  if (!verdict.ok) {
    setStatus(el, verdict.reason, 'bad');
    if (verdict.suggestion) {
      useNormalized.hidden = false;
      useNormalized.textContent = `Use “${verdict.suggestion}”`;
      useNormalized.onclick = () => {
        $('label').value = verdict.suggestion;
        onLabelInput();
        $('label').focus();
      };
    }
    return;
  }
  setStatus(el, `Checking ${verdict.name}…`, 'busy');
  const seq = ++state.checkSeq;
  debounce = setTimeout(async () => {
    try {
      const view = await api.getName(verdict.name);
      if (seq !== state.checkSeq) return;
      if (view.owner) {
        const mine = state.account && getAddress(view.owner) === state.account;
        setStatus(el, mine ? `You hold ${verdict.name}.` : `Taken: ${verdict.name} is held by ${getAddress(view.owner)}.`, 'bad');
        return;
      }
      const limit = state.rules.maxNamesPerOwner;
      if (state.account && limit > 0 && state.myNames.length >= limit) {
        setStatus(
          el,
          `${verdict.name} is free, but you already hold ${state.myNames.length} name${state.myNames.length > 1 ? 's' : ''} ` +
            `and this gateway allows ${limit} per address. Release one or connect another account.`,
          'bad',
        );
        return;
      }
      state.available = verdict.name;
      setStatus(el, `Available: ${verdict.name} is free to claim.`, 'ok');
      updateClaimButton();
    } catch (error) {
      if (seq === state.checkSeq) setStatus(el, error.message, 'bad');
    }
  }, 250);
}

// ---------------------------------------------------------------------------
// Profile

function deliveryServices(input) {
  return input.value.split(',').map((s) => s.trim()).filter(Boolean);
}

async function makeProfile(servicesInput, statusEl) {
  if (!state.account) throw new Error('Connect your wallet first.');
  const services = deliveryServices(servicesInput);
  if (services.length === 0) throw new Error('Name at least one delivery service.');
  setStatus(statusEl, 'Sign the two messages in your wallet: the first derives your dm3 keys, the second signs your profile.', 'busy');
  const { signedProfile } = await createProfile(state.account, services, personalSign);
  return signedProfile;
}

/** Checks that a pasted profile is signed by `owner` (the gateway refuses others). */
async function checkProfileSigner(signedProfile, owner) {
  const signer = await recoverMessageAddress({
    message: profileCreationMessage(stableStringify(signedProfile.profile), owner),
    signature: signedProfile.signature,
  });
  if (signer !== owner) {
    throw new Error(
      `This profile is not signed by ${owner}: the gateway only accepts a profile signed by the name's owner.`,
    );
  }
}

function renderProfileSummary() {
  const el = $('profile-summary');
  const p = state.profile?.profile;
  if (!p) {
    el.replaceChildren();
    updateClaimButton();
    return;
  }
  el.replaceChildren(
    h('p', { class: 'ok-line' }, 'Profile ready, signed by your account.'),
    h('dl', {},
      h('dt', {}, 'Encryption key'), h('dd', { class: 'mono', 'data-testid': 'profile-encryption-key' }, p.publicEncryptionKey),
      h('dt', {}, 'Signing key'), h('dd', { class: 'mono', 'data-testid': 'profile-signing-key' }, p.publicSigningKey),
      h('dt', {}, 'Delivery services'), h('dd', {}, p.deliveryServices.join(', '))),
  );
  updateClaimButton();
}

async function onCreateProfile() {
  const status = $('claim-status');
  try {
    state.profile = await makeProfile($('delivery-services'), status);
    setStatus(status, '');
  } catch (error) {
    state.profile = null;
    setStatus(status, error.message, 'bad');
  }
  renderProfileSummary();
}

async function onPasteProfile() {
  const status = $('claim-status');
  const text = $('pasted').value;
  state.profile = null;
  if (!text.trim()) {
    renderProfileSummary();
    return;
  }
  try {
    const signed = parseSignedProfile(text);
    if (!state.account) throw new Error('Connect your wallet to check the profile’s signature.');
    await checkProfileSigner(signed, state.account);
    state.profile = signed;
    setStatus(status, '');
  } catch (error) {
    setStatus(status, error.message, 'bad');
  }
  renderProfileSummary();
}

function onProfileSource() {
  const paste = document.querySelector('input[name="profile-source"]:checked').value === 'paste';
  $('create-profile').hidden = paste;
  $('paste-profile').hidden = !paste;
  state.profile = null;
  setStatus($('claim-status'), '');
  if (paste) onPasteProfile();
  else renderProfileSummary();
}

// ---------------------------------------------------------------------------
// Signed writes

/** Signs a NameChange with the wallet and sends it; returns the name as stored after it. */
async function signedWrite(kind, name, { owner, recordsJson, statusEl }) {
  if (!state.account) throw new Error('Connect your wallet first.');
  await checkChain();
  const view = await api.getName(name);
  const deadline = Math.floor(Date.now() / 1000) + DEADLINE_SECONDS;
  const typed = nameChangeTypedData(state.domain, { name, owner, recordsJson, nonce: view.nonce, deadline });
  setStatus(statusEl, 'Sign the change in your wallet…', 'busy');
  const signature = await wallet('eth_signTypedData_v4', [state.account, JSON.stringify(typed)]);
  setStatus(statusEl, 'Sending to the gateway…', 'busy');
  return api.submit({ kind, name, owner, recordsJson, nonce: view.nonce, deadline, signature });
}

function updateClaimButton() {
  const ready = Boolean(state.account && state.available && state.profile && state.available === currentName());
  $('claim-button').disabled = !ready;
  const missing = !state.account ? 'Connect your wallet' : !state.available ? 'Pick a free name' : !state.profile ? 'Create or paste a profile' : '';
  $('claim-hint').textContent = missing ? `${missing} to claim.` : '';
}

async function onClaim(event) {
  event.preventDefault();
  const status = $('claim-status');
  const name = state.available;
  if (!name || !state.profile) return;
  const button = $('claim-button');
  button.disabled = true;
  try {
    const recordsJson = JSON.stringify({ texts: { [PROFILE_KEY]: profileRecord(state.profile) } });
    await signedWrite('claim', name, { owner: state.account, recordsJson, statusEl: status });
    setStatus(status, `Claimed ${name}. It now resolves to your account with your dm3 profile.`, 'ok');
    state.available = null;
    await refreshMyNames();
    onLabelInput();
    await showResolution(name);
  } catch (error) {
    setStatus(status, error.message, 'bad');
  } finally {
    updateClaimButton();
  }
}

// ---------------------------------------------------------------------------
// My names

async function refreshMyNames() {
  const list = $('my-names');
  const empty = $('mine-empty');
  if (!state.account) {
    state.myNames = [];
    list.replaceChildren();
    empty.textContent = 'Connect your wallet to see the names you hold.';
    return;
  }
  try {
    const { names } = await api.namesOf(state.account);
    state.myNames = names;
    const views = await Promise.all(names.map((n) => api.getName(n)));
    list.replaceChildren(...views.map(nameItem));
    empty.textContent = names.length ? '' : 'You hold no name on this gateway yet.';
  } catch (error) {
    empty.textContent = error.message;
  }
}

function recordsForm(view, statusEl) {
  const profileText = PROFILE_KEYS.map((k) => view.texts[k]).find(Boolean) ?? '';
  const others = Object.entries(view.texts).filter(([k]) => !PROFILE_KEYS.includes(k));
  const id = (s) => `${s}-${view.name}`;
  const profileArea = h('textarea', { id: id('profile'), rows: 4, class: 'mono', spellcheck: 'false' });
  profileArea.value = profileText;
  let currentServices = state.config?.deliveryServices ?? [];
  try {
    if (profileText) currentServices = parseSignedProfile(profileText).profile.deliveryServices;
  } catch {
    // a malformed stored profile: offer the operator's default instead
  }
  const services = h('input', { id: id('ds'), value: currentServices.join(', '), autocomplete: 'off' });
  const texts = h('textarea', { id: id('texts'), rows: 3, class: 'mono', spellcheck: 'false', placeholder: 'url=https://example.org' });
  texts.value = others.map(([k, v]) => `${k}=${v}`).join('\n');
  const eth = h('input', { id: id('eth'), class: 'mono', autocomplete: 'off', placeholder: state.account ?? '0x…' });
  eth.value = view.addresses?.['60'] ?? '';
  const contenthash = h('input', { id: id('contenthash'), class: 'mono', autocomplete: 'off', placeholder: '0xe301… (EIP-1577)' });
  contenthash.value = view.contenthash ?? '';

  const regenerate = h('button', {
    type: 'button',
    onclick: async () => {
      try {
        const signed = await makeProfile(services, statusEl);
        profileArea.value = profileRecord(signed);
        setStatus(statusEl, 'New profile made. Save the records to publish it.', 'ok');
      } catch (error) {
        setStatus(statusEl, error.message, 'bad');
      }
    },
  }, 'New profile from wallet');

  const save = async (event) => {
    event.preventDefault();
    try {
      const records = { texts: {} };
      if (profileArea.value.trim()) {
        const signed = parseSignedProfile(profileArea.value);
        await checkProfileSigner(signed, state.account);
        records.texts[PROFILE_KEY] = profileRecord(signed);
      }
      for (const line of texts.value.split('\n').map((l) => l.trim()).filter(Boolean)) {
        const at = line.indexOf('=');
        if (at < 1) throw new Error(`Text records are key=value lines: “${line}”.`);
        const key = line.slice(0, at).trim();
        if (PROFILE_KEYS.includes(key)) throw new Error('Put the dm3 profile in the profile field.');
        records.texts[key] = line.slice(at + 1).trim();
      }
      if (eth.value.trim()) {
        if (!isAddress(eth.value.trim())) throw new Error('The ETH address is not a 20-byte 0x address.');
        records.addresses = { 60: eth.value.trim().toLowerCase() };
      }
      if (contenthash.value.trim()) {
        if (!isHex(contenthash.value.trim())) throw new Error('The content hash must be 0x-hex (EIP-1577).');
        records.contenthash = contenthash.value.trim().toLowerCase();
      }
      await signedWrite('update', view.name, { owner: state.account, recordsJson: JSON.stringify(records), statusEl });
      setStatus($('mine-status'), `Saved the records of ${view.name}.`, 'ok');
      await refreshMyNames();
      await showResolution(view.name);
    } catch (error) {
      setStatus(statusEl, error.message, 'bad');
    }
  };

  return h('form', { class: 'records', onsubmit: save, 'data-testid': 'records-form' },
    h('label', { for: id('profile') }, 'dm3 profile (signed record)'),
    profileArea,
    h('label', { for: id('ds') }, 'Delivery services of a new profile'),
    h('div', { class: 'inline' }, services, regenerate),
    h('label', { for: id('texts') }, 'Text records (key=value, one per line)'),
    texts,
    h('label', { for: id('eth') }, 'ETH address (coin type 60; empty: the owner)'),
    eth,
    h('label', { for: id('contenthash') }, 'Content hash'),
    contenthash,
    h('button', { type: 'submit', class: 'primary' }, 'Sign and save records'));
}

function nameItem(view) {
  const status = h('p', { class: 'status', 'aria-live': 'polite' });
  const to = h('input', { id: `to-${view.name}`, class: 'mono', autocomplete: 'off', placeholder: '0x… new owner' });
  const transfer = async (event) => {
    event.preventDefault();
    try {
      const target = to.value.trim();
      if (!isAddress(target)) throw new Error('Enter the new owner as a 0x address.');
      await signedWrite('transfer', view.name, { owner: getAddress(target), statusEl: status });
      setStatus($('mine-status'), `Transferred ${view.name} to ${getAddress(target)}.`, 'ok');
      await showResolution(view.name);
      await refreshMyNames();
    } catch (error) {
      setStatus(status, error.message, 'bad');
    }
  };
  const release = async () => {
    try {
      await signedWrite('release', view.name, { statusEl: status });
      setStatus($('mine-status'), `Released ${view.name}: anyone may claim it again.`, 'ok');
      await showResolution(view.name);
      await refreshMyNames();
      onLabelInput();
    } catch (error) {
      setStatus(status, error.message, 'bad');
    }
  };
  return h('li', { class: 'name-item', 'data-name': view.name },
    h('div', { class: 'row' },
      h('strong', { class: 'name' }, view.name),
      h('span', { class: 'muted' }, `nonce ${view.nonce}`),
      h('button', { type: 'button', onclick: () => showResolution(view.name) }, 'Resolve')),
    h('details', {}, h('summary', {}, 'Profile and records'), recordsForm(view, status)),
    h('details', {},
      h('summary', {}, 'Transfer'),
      h('form', { class: 'inline', onsubmit: transfer },
        h('label', { for: `to-${view.name}`, class: 'sr-only' }, 'New owner'),
        to,
        h('button', { type: 'submit' }, 'Sign and transfer')),
      h('p', { class: 'hint' }, 'The records are cleared: the new owner publishes their own profile.')),
    h('details', {},
      h('summary', {}, 'Release'),
      h('p', { class: 'hint' }, `${view.name} stops resolving and anyone may claim it again.`),
      h('button', { type: 'button', class: 'danger', onclick: release }, `Sign and release ${view.name}`)),
    status);
}

// ---------------------------------------------------------------------------
// Resolution

async function showResolution(name) {
  const card = $('resolution');
  card.hidden = false;
  $('res-name').textContent = name;
  const body = $('res-body');
  body.replaceChildren(h('p', { class: 'status busy' }, `Resolving ${name} through the chain…`));
  let view = null;
  try {
    view = await api.getName(name);
  } catch {
    view = null;
  }
  const keys = [PROFILE_KEY, ...Object.keys(view?.texts ?? {}).filter((k) => !PROFILE_KEYS.includes(k))];
  try {
    const result = await resolveByRegistry(state.config, name, keys);
    const rows = [];
    if (!result.resolver) {
      body.replaceChildren(h('p', { class: 'status bad' }, `No resolver is set for ${name} or any parent in the ENS registry ${state.config.ensRegistry}.`));
      return;
    }
    rows.push(['Resolver', h('span', { class: 'mono', 'data-testid': 'res-resolver' }, result.resolver), ` (set on ${result.at})`]);
    rows.push(['Address', h('span', { class: 'mono', 'data-testid': 'res-addr' }, result.addr)]);
    const profileText = result.texts[PROFILE_KEY];
    let profileCell = h('span', { class: 'muted', 'data-testid': 'res-profile' }, 'no dm3 profile');
    if (profileText) {
      try {
        const signed = parseSignedProfile(profileText);
        let signedBy = '';
        try {
          await checkProfileSigner(signed, result.addr);
          signedBy = `signed by ${short(result.addr)} ✓`;
        } catch (error) {
          signedBy = error.message;
        }
        profileCell = h('div', { 'data-testid': 'res-profile' },
          h('div', {}, 'Encryption key ', h('span', { class: 'mono', 'data-testid': 'res-encryption-key' }, signed.profile.publicEncryptionKey)),
          h('div', {}, 'Signing key ', h('span', { class: 'mono' }, signed.profile.publicSigningKey)),
          h('div', {}, 'Delivery services ', h('span', { 'data-testid': 'res-delivery-services' }, signed.profile.deliveryServices.join(', '))),
          h('div', { class: 'muted' }, signedBy));
      } catch (error) {
        profileCell = h('span', { class: 'bad', 'data-testid': 'res-profile' }, `malformed profile: ${error.message}`);
      }
    }
    rows.push(['dm3 profile', profileCell]);
    for (const key of keys.slice(1)) rows.push([`Text ${key}`, h('span', { 'data-testid': `res-text-${key}` }, result.texts[key] || '—')]);
    rows.push(['Content hash', h('span', { class: 'mono' }, result.contenthash === '0x' ? '—' : result.contenthash)]);
    const links = result.lookups.map((l) => ({ url: lookupUrl(l), label: l.label })).filter((l) => l.url);
    const children = [
      h('p', { class: 'ok-line', 'data-testid': 'res-verified' },
        `Verified: every answer came through CCIP-read and was checked by the resolver contract (resolveWithProof).`),
      h('dl', { class: 'grid' }, rows.flatMap(([k, ...v]) => [h('dt', {}, k), h('dd', {}, ...v)])),
      h('details', {},
        h('summary', {}, `Raw CCIP-read answers (${links.length})`),
        h('p', { class: 'hint' }, 'The gateway\'s signed answers, as the resolver\'s OffchainLookup asked for them: abi.encode(result, expires, signature).'),
        h('ul', { class: 'links' }, links.map(({ url, label }) =>
          h('li', {}, h('span', { class: 'label' }, label), ' ',
            h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'mono', title: url }, `${url.slice(0, 56)}…`))))),
    ];
    if (state.config.universalResolver) {
      try {
        const ur = await resolveByUniversalResolver(state.config, name, [PROFILE_KEY]);
        const norm = (a) => (!a || /^0x0{40}$/i.test(a) ? null : a.toLowerCase());
        const same = norm(ur.addr) === norm(result.addr);
        children.push(h('p', { class: same ? 'ok-line' : 'status bad', 'data-testid': 'res-universal' },
          `UniversalResolver ${short(state.config.universalResolver)}: address ${ur.addr ?? 'none'}${same ? ' (same)' : ' (differs!)'}.`));
      } catch (error) {
        children.push(h('p', { class: 'status bad', 'data-testid': 'res-universal' }, `UniversalResolver: ${error.shortMessage || error.message}`));
      }
    }
    body.replaceChildren(...children);
  } catch (error) {
    body.replaceChildren(h('p', { class: 'status bad', 'data-testid': 'res-error' }, `Resolution failed: ${error.shortMessage || error.message}`));
  }
}

// ---------------------------------------------------------------------------
// Start

async function start() {
  $('connect').addEventListener('click', connect);
  $('label').addEventListener('input', onLabelInput);
  $('parent').addEventListener('change', onLabelInput);
  $('claim-form').addEventListener('submit', onClaim);
  $('create').addEventListener('click', onCreateProfile);
  $('pasted').addEventListener('input', onPasteProfile);
  for (const radio of document.querySelectorAll('input[name="profile-source"]')) radio.addEventListener('change', onProfileSource);
  $('lookup-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $('lookup').value.trim();
    if (name) showResolution(name);
  });

  try {
    [state.config, state.info] = await Promise.all([api.pageConfig(), api.info()]);
  } catch (error) {
    notice(`Cannot load the gateway settings: ${error.message}`);
    return;
  }
  const names = state.info.names;
  $('delivery-services').value = state.config.deliveryServices.join(', ');
  $('gateway-info').textContent =
    `Gateway signer ${state.info.activeSigner} · store ${state.info.store} · chain ${state.config.chainId}`;
  if (!names) {
    notice('Names cannot be claimed on this gateway (its names live on an L2); you can still resolve names below.', 'info');
    $('claim').hidden = true;
    return;
  }
  state.rules = names;
  state.domain = names.eip712Domain;
  $('parent').replaceChildren(...names.parents.map((p) => h('option', { value: p }, p)));
  $('parent').hidden = names.parents.length < 2;
  $('parent-suffix').textContent = `.${names.parents[0]}`;
  $('parent-suffix').hidden = names.parents.length > 1;
  for (const el of document.querySelectorAll('.parent-name')) el.textContent = names.parents.join(', ');

  if (window.ethereum?.on) {
    window.ethereum.on('accountsChanged', (accounts) => setAccount(accounts?.[0]).catch((e) => notice(e.message)));
    window.ethereum.on('chainChanged', () => checkChain().catch((e) => notice(e.message)));
  }
  if (!window.ethereum) notice('No wallet found: install a browser wallet (such as MetaMask) to claim a name. You can still check names and resolve them.', 'info');
  await setAccount(null);
  onLabelInput();
  document.body.dataset.ready = 'true';
}

start();
