// Which names may be claimed, checked in the browser before asking the gateway
// (the same rules as gateway/src/names/rules.rs, from GET /info), and the
// EIP-712 NameChange every write is signed as (gateway/src/names/authorization.rs).

import { normalize } from 'viem/ens';
import { keccak256, toBytes, zeroAddress, zeroHash } from 'viem';

/**
 * The verdict on `label` under `parent` by the local rules alone:
 * `{ ok: true, name }` or `{ ok: false, reason, suggestion? }`.
 */
export function checkLabel(label, parent, rules) {
  if (label.includes('.')) {
    return { ok: false, reason: `Type one label only: names are claimed directly under ${parent}.` };
  }
  const full = `${label}.${parent}`;
  let normalized;
  try {
    normalized = normalize(full);
  } catch (e) {
    const why = String(e.message || e).split('\n')[0];
    return { ok: false, reason: `This is not a valid ENS name: ${why}.` };
  }
  if (normalized !== full) {
    const suggestion = normalized.endsWith(`.${parent}`) ? normalized.slice(0, -parent.length - 1) : null;
    return {
      ok: false,
      reason: `Not normalized: ENS writes this name as “${normalized}”. Names are claimed in their normalized (ENSIP-15) form.`,
      suggestion,
    };
  }
  const length = [...label].length;
  if (length < rules.minLabelLength) {
    return { ok: false, reason: `Too short: names here have at least ${rules.minLabelLength} characters (this one has ${length}).` };
  }
  if (new TextEncoder().encode(label).length > 255) {
    return { ok: false, reason: 'Too long: a label has at most 255 bytes.' };
  }
  if (rules.reserved.includes(label)) {
    return { ok: false, reason: `Reserved: “${label}” is kept by the operator and cannot be claimed.` };
  }
  return { ok: true, name: full };
}

/** The `recordsHash` of a write: keccak256 of the records JSON text (none: zero). */
export function recordsHash(recordsJson) {
  return recordsJson === undefined ? zeroHash : keccak256(toBytes(recordsJson));
}

/** The `eth_signTypedData_v4` payload of a NameChange in the gateway's domain. */
export function nameChangeTypedData(domain, { name, owner, recordsJson, nonce, deadline }) {
  return {
    types: {
      EIP712Domain: [
        { name: 'name', type: 'string' },
        { name: 'version', type: 'string' },
        { name: 'chainId', type: 'uint256' },
        { name: 'verifyingContract', type: 'address' },
      ],
      NameChange: [
        { name: 'name', type: 'string' },
        { name: 'owner', type: 'address' },
        { name: 'recordsHash', type: 'bytes32' },
        { name: 'nonce', type: 'uint256' },
        { name: 'deadline', type: 'uint256' },
      ],
    },
    primaryType: 'NameChange',
    domain: {
      name: domain.name,
      version: domain.version,
      chainId: domain.chainId,
      verifyingContract: domain.verifyingContract,
    },
    message: {
      name,
      owner: owner ?? zeroAddress,
      recordsHash: recordsHash(recordsJson),
      nonce,
      deadline,
    },
  };
}
