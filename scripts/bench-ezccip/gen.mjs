// Generates the inputs of scripts/bench: records to import (JSON lines), and
// URL and body files for oha. Names, calldata and signatures are computed
// here because a URL pattern cannot contain a namehash.
//
// usage: node gen.mjs OUT_DIR NAMES CLAIMS RESOLVER CHAIN_ID
import { writeFileSync } from "node:fs";
import { Wallet, Interface, TypedDataEncoder, dnsEncode, namehash, keccak256, toUtf8Bytes, hexlify, randomBytes } from "ethers";

const [out, nNames, nClaims, resolver, chainId] = process.argv.slice(2);
const sender = resolver.toLowerCase();
const resolverAbi = new Interface(["function resolve(bytes name, bytes data) returns (bytes)"]);
const records = new Interface([
  "function text(bytes32 node, string key) returns (string)",
  "function addr(bytes32 node) returns (address)",
  "function addr(bytes32 node, uint256 coinType) returns (bytes)",
  "function contenthash(bytes32 node) returns (bytes)",
  "function multicall(bytes[] data) returns (bytes[])",
]);
const b64 = () => Buffer.from(randomBytes(32)).toString("base64");
const profile = (i) =>
  "data:application/json," +
  JSON.stringify({
    profile: { deliveryServices: ["ds.dm3.eth"], publicEncryptionKey: b64(), publicSigningKey: b64() },
    signature: "0x" + "ab".repeat(65),
  });
const url = (calldata) => `/${sender}/${calldata}.json`;
const text = (name, key) => records.encodeFunctionData("text", [namehash(name), key]);
const resolve = (name, data) => resolverAbi.encodeFunctionData("resolve", [dnsEncode(name, 255), data]);

const lines = [], textUrls = [], multiUrls = [];
for (let i = 0; i < Number(nNames); i++) {
  const name = `user${i}.dm3.eth`;
  const owner = new Wallet(hexlify(randomBytes(32))).address;
  lines.push(
    JSON.stringify({
      name,
      record: {
        texts: { "eth.dm3.profile": profile(i), url: "https://dm3.chat" },
        addresses: { 60: owner.toLowerCase() },
        contenthash: "0xe301017012201687de19f1516b9e560ab8655faa678e3a023ebff43494ac06a36581aafc957e",
      },
    }),
  );
  textUrls.push(url(resolve(name, text(name, "network.dm3.profile"))));
  const node = namehash(name);
  const calls = [
    text(name, "network.dm3.profile"),
    records.encodeFunctionData("addr(bytes32)", [node]),
    text(name, "url"),
    records.encodeFunctionData("contenthash", [node]),
  ];
  multiUrls.push(url(resolve(name, records.encodeFunctionData("multicall", [calls]))));
}
writeFileSync(`${out}/records.jsonl`, lines.join("\n") + "\n");
writeFileSync(`${out}/text-paths.txt`, textUrls.join("\n") + "\n");
writeFileSync(`${out}/hot-paths.txt`, textUrls.slice(0, 100).join("\n") + "\n");
writeFileSync(`${out}/multicall-paths.txt`, multiUrls.join("\n") + "\n");

// Signed claims of fresh names, one owner each (the default allows one name per owner).
const domain = { name: "dm3 names", version: "1", chainId: Number(chainId), verifyingContract: resolver };
const types = {
  NameChange: [
    { name: "name", type: "string" },
    { name: "owner", type: "address" },
    { name: "recordsHash", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};
const deadline = Math.floor(Date.now() / 1000) + 3600;
const claims = [];
for (let i = 0; i < Number(nClaims); i++) {
  const wallet = new Wallet(hexlify(randomBytes(32)));
  const name = `claim${i}x${hexlify(randomBytes(3)).slice(2)}.dm3.eth`;
  const recordsJson = JSON.stringify({ texts: { url: "https://dm3.chat" } });
  const message = { name, owner: wallet.address, recordsHash: keccak256(toUtf8Bytes(recordsJson)), nonce: 0, deadline };
  const signature = wallet.signingKey.sign(TypedDataEncoder.hash(domain, types, message)).serialized;
  claims.push(
    `{"name":"${name}","owner":"${wallet.address}","records":${recordsJson},"nonce":0,"deadline":${deadline},"signature":"${signature}"}`,
  );
}
writeFileSync(`${out}/claims.jsonl`, claims.join("\n") + "\n");
