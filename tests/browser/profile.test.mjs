// The page's dm3 profile derivation (web/src/profile.js) against dm3's own
// libraries (npm @dm3-org/dm3-lib-profile and dm3-lib-crypto 1.7.1): for the
// same wallets, the storage-key message, the keys (public and secret), the
// profile, its signature and the text record must be byte for byte equal.
//
// usage: node --test tests/browser/profile.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { privateKeyToAccount } from 'viem/accounts';
import { recoverMessageAddress } from 'viem';
import * as page from '../../web/src/profile.js';

const require = createRequire(import.meta.url);
const dm3Profile = require('@dm3-org/dm3-lib-profile');
const dm3Crypto = require('@dm3-org/dm3-lib-crypto');
const dm3Shared = require('@dm3-org/dm3-lib-shared');

// anvil's accounts #1 and #2, and a key nobody uses.
const KEYS = [
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
];

for (const key of KEYS) {
  const account = privateKeyToAccount(key);
  const sign = (message) => account.signMessage({ message });

  test(`same profile and keys as dm3 for ${account.address}`, async () => {
    assert.equal(page.DEFAULT_NONCE, dm3Profile.DEFAULT_NONCE);
    assert.equal(
      page.storageKeyCreationMessage(page.DEFAULT_NONCE, account.address.toLowerCase()),
      dm3Crypto.getStorageKeyCreationMessage(dm3Profile.DEFAULT_NONCE, account.address),
    );
    const services = ['ds.dm3.eth', 'backup.ds.example.eth'];
    const theirs = await dm3Profile.createProfile(account.address, services, undefined, {
      signer: (message) => sign(message),
    });
    const ours = await page.createProfile(account.address, services, sign);
    assert.deepEqual(ours.keys, theirs.keys, 'key pairs');
    assert.equal(ours.nonce, theirs.nonce);
    assert.equal(JSON.stringify(ours.signedProfile), JSON.stringify(theirs.signedProfile), 'signed profile');
    assert.equal(page.stableStringify(ours.signedProfile.profile), dm3Shared.stringify(theirs.signedProfile.profile));
    assert.equal(page.profileRecord(ours.signedProfile), dm3Shared.createJsonDataUri(theirs.signedProfile));
    assert.ok(dm3Profile.checkUserProfileWithAddress(ours.signedProfile, account.address), 'dm3 accepts our signature');
    const signer = await recoverMessageAddress({
      message: page.profileCreationMessage(page.stableStringify(ours.signedProfile.profile), account.address),
      signature: ours.signedProfile.signature,
    });
    assert.equal(signer, account.address);

    // The key pairs from one storage key, directly.
    const storageKey = await dm3Crypto.createStorageKey(ours.signedProfile.signature);
    assert.equal(page.storageKeyOf(ours.signedProfile.signature), storageKey);
    assert.deepEqual(page.profileKeys(storageKey).encryptionKeyPair, await dm3Crypto.createKeyPair(storageKey));
    assert.deepEqual(page.profileKeys(storageKey).signingKeyPair, await dm3Crypto.createSigningKeyPair(storageKey));
  });
}

test('pasted profiles are parsed from JSON and from the record, and refused when malformed', async () => {
  const account = privateKeyToAccount(KEYS[0]);
  const { signedProfile } = await page.createProfile(account.address, ['ds.dm3.eth'], (m) =>
    account.signMessage({ message: m }),
  );
  assert.deepEqual(page.parseSignedProfile(JSON.stringify(signedProfile)), signedProfile);
  assert.deepEqual(page.parseSignedProfile(page.profileRecord(signedProfile)), signedProfile);
  const bad = [
    'nope',
    '{}',
    JSON.stringify({ ...signedProfile, signature: '0x12' }),
    JSON.stringify({ ...signedProfile, profile: { ...signedProfile.profile, publicSigningKey: 'AAAA' } }),
    JSON.stringify({ ...signedProfile, profile: { ...signedProfile.profile, deliveryServices: [] } }),
  ];
  for (const text of bad) assert.throws(() => page.parseSignedProfile(text), Error, text);
});
