// Writes tests/dm3/sample-export.jsonl: rows as dm3's offchain-resolver
// database exports them with the README's psql command, for anvil's public
// test accounts #3-#7, signed with dm3-lib-profile's createProfile. Some rows
// are valid, the others break one rule each (see the `why` list below).
//
// usage: node tests/dm3/make-sample.mjs > tests/dm3/sample-export.jsonl
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { ethers } = require("ethers5");
const { createProfile } = require("@dm3-org/dm3-lib-profile");

// anvil / hardhat test accounts #3-#7 (publicly known keys).
const keys = [
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
];
const wallets = keys.map((k) => new ethers.Wallet(k));
const provider = new ethers.providers.JsonRpcProvider("http://127.0.0.1:1");
async function signed(wallet, signer = wallet) {
  const { signedProfile } = await createProfile(wallet.address, ["ds.dm3.eth"], provider, {
    signer: (message) => signer.signMessage(message),
  });
  return signedProfile;
}
function row(wallet, profile, alias, ensName) {
  ensName = ensName ?? `${wallet.address.toLowerCase()}.addr.dm3.eth`;
  return { nameHash: ethers.utils.namehash(ensName), profile, ensName, address: wallet.address, alias };
}
const [a, b, c, d, e] = wallets;
const rows = [
  // valid, with an alias; the profile stored as dm3 stores it (a string of JSON)
  row(a, JSON.stringify(await signed(a)), "carol.dm3.eth"),
  // valid, no alias, profile as JSON
  row(b, await signed(b), null),
  // invalid profile: signed by another wallet
  row(c, await signed(c, d), null),
  // non-normalized alias
  row(d, await signed(d), "Dave.dm3.eth"),
  // duplicate alias (row 1 holds it)
  row(e, await signed(e), "carol.dm3.eth"),
  // nameHash not namehash(ensName)
  { ...row(e, await signed(e), null), nameHash: ethers.utils.namehash("other.addr.dm3.eth") },
  // non-normalized address name (checksummed)
  row(d, await signed(d), null, `${d.address}.addr.dm3.eth`),
];
for (const r of rows) process.stdout.write(JSON.stringify(r) + "\n");
