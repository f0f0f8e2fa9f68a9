// The gateway's names API (README "Claim a name", docs/openapi.yaml): reads,
// signed writes, and a clear sentence for every error code.

/** What each error code of the names API means for the user. */
export const ERROR_MESSAGES = {
  name_taken: 'Someone already holds this name.',
  name_not_normalized: 'The name is not in its normalized (ENSIP-15) form.',
  invalid_name: 'This is not a name that can be claimed here.',
  name_too_short: 'The name is shorter than this gateway allows.',
  name_reserved: 'This name is reserved by the operator.',
  name_too_long: 'The name is too long.',
  name_not_claimed: 'Nobody holds this name (it may have been released).',
  name_not_served: 'This gateway does not serve names under that parent.',
  owner_limit: 'This address already holds as many names as the gateway allows.',
  expired: 'The signature expired before it reached the gateway (check your computer clock), please sign again.',
  bad_signature: 'The signature is not from the owner of this name (is the right account selected in your wallet?).',
  nonce_mismatch: 'The name changed since you signed (another tab or device?). Reload it and sign again.',
  invalid_profile: 'The dm3 profile was refused.',
  invalid_records: 'The records were refused.',
  invalid_json: 'The gateway could not read the request.',
  invalid_hex: 'An address or hex value is malformed.',
  read_only: 'Names cannot be changed through this gateway (they live on an L2).',
  too_many_requests: 'Too many changes from your connection. Wait a few seconds and try again.',
  payload_too_large: 'The records are too large.',
  request_timeout: 'The gateway took too long to answer. Try again.',
  uri_too_long: 'The request is too long.',
  store_unavailable: 'The gateway cannot reach its record store right now. Try again later.',
  store_timeout: 'The gateway record store is too slow right now. Try again later.',
  write_not_replicated:
    'The change reached the gateway, but not enough copies of its store confirmed it, so it is not acknowledged. Check the name, then sign and try again.',
  not_available: 'This gateway cannot answer that here (its names live on an L2 registry, which keeps no list of names by owner).',
  rpc_unavailable: 'The gateway cannot reach the chain to check a contract-wallet signature. Try again later.',
  no_such_route: 'This gateway has no names API.',
  method_not_allowed: 'This gateway does not accept that change.',
  internal: 'The gateway failed internally. Try again later.',
  // Codes of the CCIP-read side; the page meets them only through a broken deployment.
  invalid_calldata: 'The lookup request is malformed.',
  invalid_dns_name: 'The name is not a valid DNS-encoded name.',
  node_mismatch: 'The lookup asked for another name than it named.',
  unsupported_function: 'The gateway does not answer this kind of record.',
  multicall_too_large: 'Too many records were asked for at once.',
  nested_multicall: 'A multicall may not contain another multicall.',
  unknown_resolver: 'This gateway does not sign for that resolver contract.',
};

/** An error answer of the gateway, with its HTTP status and code. */
export class ApiError extends Error {
  constructor(status, code, detail) {
    const known = ERROR_MESSAGES[code];
    super(known ? `${known} (${detail})` : `The gateway answered ${status}: ${detail || code}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

async function request(path, options) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (e) {
    throw new Error(`Cannot reach the gateway: ${e.message}`);
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, body?.code ?? `http_${response.status}`, body?.message ?? text.slice(0, 200));
  }
  return body;
}

/** `GET /info`. */
export const info = () => request('/info');
/** `GET /page/config.json`. */
export const pageConfig = () => request('/page/config.json');
/** `GET /names/{name}`: owner (null when free), nonce, records. */
export const getName = (name) => request(`/names/${encodeURIComponent(name)}`);
/** `GET /owners/{address}/names`. */
export const namesOf = (address) => request(`/owners/${address}/names`);

/**
 * Sends a signed write. `recordsJson` is the exact text that was hashed for
 * the signature, so the body is assembled around it rather than re-serialized.
 */
export function submit(write) {
  const parts = [];
  const add = (key, json) => parts.push(`${JSON.stringify(key)}:${json}`);
  let path;
  let method = 'POST';
  switch (write.kind) {
    case 'claim':
      path = '/names';
      add('name', JSON.stringify(write.name));
      add('owner', JSON.stringify(write.owner));
      break;
    case 'update':
      path = `/names/${encodeURIComponent(write.name)}`;
      method = 'PUT';
      break;
    case 'transfer':
      path = `/names/${encodeURIComponent(write.name)}/transfer`;
      add('newOwner', JSON.stringify(write.owner));
      break;
    case 'release':
      path = `/names/${encodeURIComponent(write.name)}/release`;
      break;
    default:
      throw new Error(`unknown write ${write.kind}`);
  }
  if (write.recordsJson !== undefined) add('records', write.recordsJson);
  add('nonce', String(write.nonce));
  add('deadline', String(write.deadline));
  add('signature', JSON.stringify(write.signature));
  return request(path, { method, headers: { 'content-type': 'application/json' }, body: `{${parts.join(',')}}` });
}
