// dm3 profiles made the way the dm3 app makes them (npm @dm3-org/dm3-lib-profile
// 1.7.1 `createProfile`, @dm3-org/dm3-lib-crypto 1.7.1 `getStorageKeyCreationMessage`,
// `createStorageKey`, `createKeyPair`, `createSigningKeyPair`), so the same wallet
// gets the same keys here and in dm3:
//
//   storage-key message = dm3's SIWE-like text with the default nonce
//   storage key         = base64(sha256(utf8(personal_sign(message))))   (the hex text of the signature)
//   encryption key pair = libsodium crypto_kx_seed_keypair(storage key):
//                         secret = BLAKE2b-256(seed), public = X25519(secret)
//   signing key pair    = libsodium crypto_sign_seed_keypair(storage key):
//                         Ed25519 from the 32-byte seed, secret = seed ‖ public
//   profile signature   = personal_sign(dm3's profile-creation message with the
//                         key-sorted JSON of the profile)
//
// tests/browser/profile.test.mjs derives both ways for one wallet and compares
// them byte for byte.

import { ed25519, x25519 } from '@noble/curves/ed25519';
import { blake2b } from '@noble/hashes/blake2b';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { getAddress } from 'viem';

/** dm3's DEFAULT_NONCE: sha256("dm3_default_nonce") as 0x-hex. */
export const DEFAULT_NONCE = '0x' + bytesToHex(sha256(utf8ToBytes('dm3_default_nonce')));

/** The text record key dm3 clients read today. */
export const PROFILE_KEY = 'network.dm3.profile';

/** The text keys that hold a dm3 profile (the gateway serves one value under all). */
export const PROFILE_KEYS = ['network.dm3.profile', 'eth.dm3.profile', 'dm3.profile'];

/** Standard base64 of bytes. */
export function toBase64(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Bytes of standard base64 (throws on anything else). */
export function fromBase64(text) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error('not base64');
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** dm3-lib-crypto `getStorageKeyCreationMessage(nonce, address)`. */
export function storageKeyCreationMessage(nonce, address) {
  return (
    'dm3.chat wants you to sign in with your Ethereum account:\n' +
    `${getAddress(address)}\n\n` +
    'Connect the DM3 MESSENGER with your wallet. Keys for secure communication are derived from this signature.\n\n' +
    '(There is no paid transaction initiated. The signature is used off-chain only.)\n\n' +
    'URI: https://dm3.chat\n' +
    'Version: 1\n' +
    `Nonce: ${nonce}`
  );
}

/** dm3-lib-profile `getProfileCreationMessage(stringifiedProfile, address)`. */
export function profileCreationMessage(stringifiedProfile, address) {
  return (
    'dm3.chat wants you register your dm3 profile with your Ethereum account:\n' +
    `${getAddress(address)}\n\n` +
    'This is required only once!\n' +
    '(There is no paid transaction initiated. The signature is used off-chain only.)\n\n' +
    'URI: https://dm3.chat\n' +
    'Version: 1\n' +
    `dm3 Profile: ${stringifiedProfile}`
  );
}

/** JSON with object keys sorted at every level, no whitespace (safe-stable-stringify, as dm3 uses). */
export function stableStringify(value) {
  if (Array.isArray(value)) return '[' + value.map(stableStringify).join(',') + ']';
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + stableStringify(value[k])).join(',') + '}';
  }
  return JSON.stringify(value);
}

/** dm3-lib-crypto `createStorageKey(signature)`: base64(sha256(utf8(signature text))). */
export function storageKeyOf(signature) {
  return toBase64(sha256(utf8ToBytes(signature)));
}

/** The encryption and signing key pairs dm3 derives from a storage key (base64 seed). */
export function profileKeys(storageKey) {
  const seed = fromBase64(storageKey);
  if (seed.length !== 32) throw new Error('a storage key is 32 bytes');
  const encryptionSecret = blake2b(seed, { dkLen: 32 });
  const encryptionPublic = x25519.getPublicKey(encryptionSecret);
  const signingPublic = ed25519.getPublicKey(seed);
  const signingSecret = new Uint8Array(64);
  signingSecret.set(seed);
  signingSecret.set(signingPublic, 32);
  return {
    encryptionKeyPair: { publicKey: toBase64(encryptionPublic), privateKey: toBase64(encryptionSecret) },
    signingKeyPair: { publicKey: toBase64(signingPublic), privateKey: toBase64(signingSecret) },
    storageEncryptionKey: storageKey,
    storageEncryptionNonce: DEFAULT_NONCE,
  };
}

/**
 * dm3-lib-profile `createProfile`: two `personal_sign`s by `address` through
 * `sign(message) → Promise<hex signature>`; returns the signed profile and the keys.
 */
export async function createProfile(address, deliveryServices, sign) {
  const storageSignature = await sign(storageKeyCreationMessage(DEFAULT_NONCE, address));
  const keys = profileKeys(storageKeyOf(storageSignature));
  const profile = {
    publicEncryptionKey: keys.encryptionKeyPair.publicKey,
    publicSigningKey: keys.signingKeyPair.publicKey,
    deliveryServices,
  };
  const signature = await sign(profileCreationMessage(stableStringify(profile), address));
  return { signedProfile: { profile, signature }, keys, nonce: DEFAULT_NONCE };
}

/** The text record value: `data:application/json,` + key-sorted compact JSON (what the gateway requires). */
export function profileRecord(signedProfile) {
  return 'data:application/json,' + stableStringify(signedProfile);
}

/**
 * A signed profile from what a user pastes: the JSON `{profile, signature}` or
 * its `data:application/json,` record. Throws an Error whose message says what is wrong.
 */
export function parseSignedProfile(text) {
  let json = text.trim();
  if (json.startsWith('data:application/json,')) json = json.slice('data:application/json,'.length);
  let value;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('the profile is not JSON (paste {"profile": …, "signature": …} or its data: record)');
  }
  const profile = value && value.profile;
  if (!profile || typeof value.signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(value.signature)) {
    throw new Error('a signed profile has "profile" and a 65-byte hex "signature"');
  }
  for (const key of ['publicEncryptionKey', 'publicSigningKey']) {
    let bytes;
    try {
      bytes = fromBase64(String(profile[key] ?? ''));
    } catch {
      bytes = [];
    }
    if (bytes.length !== 32) throw new Error(`${key} must be base64 of 32 bytes`);
  }
  const ds = profile.deliveryServices;
  if (!Array.isArray(ds) || ds.length === 0 || ds.some((d) => typeof d !== 'string' || !d)) {
    throw new Error('deliveryServices must be a non-empty list of names');
  }
  const extra = Object.keys(profile).filter((k) => !['publicEncryptionKey', 'publicSigningKey', 'deliveryServices'].includes(k));
  if (extra.length) throw new Error(`the profile has fields this gateway does not accept: ${extra.join(', ')}`);
  return {
    profile: { publicEncryptionKey: profile.publicEncryptionKey, publicSigningKey: profile.publicSigningKey, deliveryServices: ds },
    signature: value.signature,
  };
}
