#!/usr/bin/env node
// Generates tests/vectors/signatures.json: signed CCIP-read answers in the ENS
// OffchainResolver scheme, computed with ethers v6 independently of the
// gateway (Rust) and the resolver (Solidity), whose tests both read the file.
//
//   digest = keccak256(0x1900 ‖ target ‖ uint64 expires ‖ keccak256(request) ‖ keccak256(result))
//   sig    = SigningKey(privateKey).sign(digest), serialized r ‖ s ‖ v (65 bytes, v = 27/28, low s)
//
// The private keys are the public anvil/hardhat development keys; never use them
// for anything real.
//
//   node tests/vectors/generate.mjs          # (re)write signatures.json
//   node tests/vectors/generate.mjs --check  # fail if signatures.json is stale

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  AbiCoder,
  Interface,
  SigningKey,
  computeAddress,
  dnsEncode,
  getAddress,
  keccak256,
  namehash,
  solidityPacked,
} from 'ethers';

const OUT = fileURLToPath(new URL('./signatures.json', import.meta.url));

const abi = AbiCoder.defaultAbiCoder();
const resolverService = new Interface(['function resolve(bytes name, bytes data) view returns (bytes)']);
const records = new Interface([
  'function text(bytes32 node, string key) view returns (string)',
  'function addr(bytes32 node) view returns (address)',
  'function addr(bytes32 node, uint256 coinType) view returns (bytes)',
  'function multicall(bytes[] data) returns (bytes[])',
]);

// anvil accounts #0, #1, #2
const KEY0 = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const KEY1 = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const KEY2 = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';

const request = (name, data) => resolverService.encodeFunctionData('resolve', [dnsEncode(name), data]);
const text = (name, key) => records.encodeFunctionData('text', [namehash(name), key]);
const addr = (name) => records.encodeFunctionData('addr(bytes32)', [namehash(name)]);
const addrCoin = (name, coinType) => records.encodeFunctionData('addr(bytes32,uint256)', [namehash(name), coinType]);
const multicall = (calls) => records.encodeFunctionData('multicall', [calls]);

const ALICE_PROFILE = 'data:application/json,{"publicEncryptionKey":"x"}';
const BOB = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';

const cases = [
  {
    // The reference vector: its DNS name, namehash, keccak256(request), digest,
    // signer and signature are written out and checked at the end of this file.
    name: 'alice-network-profile',
    privateKey: KEY1,
    target: '0x1111111111111111111111111111111111111111',
    expires: 1700000000,
    request: request('alice.dm3.eth', text('alice.dm3.eth', 'network.dm3.profile')),
    result: abi.encode(['string'], [ALICE_PROFILE]),
  },
  {
    name: 'bob-addr',
    privateKey: KEY2,
    target: '0x2222222222222222222222222222222222222222',
    expires: 1800000000,
    request: request('bob.dm3.eth', addr('bob.dm3.eth')),
    result: abi.encode(['address'], [BOB]),
  },
  {
    // Not found is a signed empty value, not an error.
    name: 'carol-missing-text-empty',
    privateKey: KEY0,
    target: '0x5FbDB2315678afecb367f032d93F642f64180aa3', // anvil's first deployment from account #0
    expires: 1700000600,
    request: request('carol.dm3.eth', text('carol.dm3.eth', 'network.dm3.deliveryService')),
    result: abi.encode(['string'], ['']),
  },
  {
    // ENSIP-22 multicall: the result is abi.encode(bytes[] results).
    name: 'alice-multicall-profile-and-addr',
    privateKey: KEY1,
    target: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
    expires: 1750000000,
    request: request(
      'alice.dm3.eth',
      multicall([text('alice.dm3.eth', 'network.dm3.profile'), addr('alice.dm3.eth')]),
    ),
    result: abi.encode(
      ['bytes[]'],
      [[abi.encode(['string'], [ALICE_PROFILE]), abi.encode(['address'], ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8'])]],
    ),
  },
  {
    // Missing addr(bytes32,uint256) is abi.encode(bytes("")); expires > 2^32 exercises all 8 bytes.
    name: 'dave-missing-default-evm-addr',
    privateKey: KEY2,
    target: '0xdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef',
    expires: 4102444800,
    request: request('dave.dm3.eth', addrCoin('dave.dm3.eth', 0x80000000n)),
    result: abi.encode(['bytes'], ['0x']),
  },
];

function sign(c) {
  const target = getAddress(c.target);
  const digest = keccak256(
    solidityPacked(
      ['bytes2', 'address', 'uint64', 'bytes32', 'bytes32'],
      ['0x1900', target, c.expires, keccak256(c.request), keccak256(c.result)],
    ),
  );
  const key = new SigningKey(c.privateKey);
  const signature = key.sign(digest).serialized;
  return {
    name: c.name,
    privateKey: c.privateKey,
    signer: computeAddress(key.publicKey),
    target,
    expires: c.expires,
    request: c.request,
    result: c.result,
    digest,
    signature,
  };
}

function assertEq(actual, expected, what) {
  if (actual.toLowerCase() !== expected.toLowerCase()) {
    throw new Error(`${what}: got ${actual}, want ${expected}`);
  }
}

const vectors = cases.map(sign);

// The first vector must reproduce these values exactly: the ENSIP-10 DNS wire
// name, the ENSIP-1 namehash, and the EIP-3668 signed answer (computed
// independently with ethers v6).
const ref = vectors[0];
assertEq(dnsEncode('alice.dm3.eth'), '0x05616c69636503646d330365746800', 'dns name');
assertEq(namehash('alice.dm3.eth'), '0xe723057cfcea4caa8bb047bcedeadd72c3fe5658652300180c62686bccb3c192', 'namehash');
assertEq(keccak256(ref.request), '0x305feddfedd03dfed7a82d50a3b7b232e47bcfc05d76b4fc062fd1bf647ea319', 'keccak256(request)');
assertEq(ref.digest, '0x8abd30a3d51287ac4506b8eb1d437ec80e3a618fb24b08d9ca8706be05378174', 'digest');
assertEq(ref.signer, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 'signer');
assertEq(
  ref.signature,
  '0x8af1ec67157e855b38dca71d154389bd86da148ba31fbb70c0dd1ca49ac1e86555fd1bd79ad5e16f830fcd39e87e61a1fe1e218508617a2a16221742d5c5fbc11b',
  'signature',
);

for (const v of vectors) {
  if ((v.signature.length - 2) / 2 !== 65) throw new Error(`${v.name}: signature is not 65 bytes`);
  if (!Number.isSafeInteger(v.expires)) throw new Error(`${v.name}: expires is not a safe integer`);
}

const json = JSON.stringify(
  {
    description:
      'ENS OffchainResolver signed answers (digest = keccak256(0x1900 ‖ target ‖ uint64 expires ‖ keccak256(request) ‖ keccak256(result)), 65-byte r‖s‖v signatures over the raw digest). Generated by generate.mjs with ethers v6; the keys are public anvil development keys.',
    vectors,
  },
  null,
  2,
) + '\n';

if (process.argv.includes('--check')) {
  if (readFileSync(OUT, 'utf8') !== json) {
    console.error('tests/vectors/signatures.json is stale; run node tests/vectors/generate.mjs');
    process.exit(1);
  }
  console.log(`signatures.json is up to date (${vectors.length} vectors)`);
} else {
  writeFileSync(OUT, json);
  console.log(`wrote ${OUT} (${vectors.length} vectors)`);
}
