// Plays the dm3 app against the gateway with dm3's own libraries
// (@dm3-org/dm3-lib-profile, -crypto, -shared 1.7.1 on ethers 5), the way the
// messenger widget's offchainResolverApi adapter and getUserProfile do.
//
// usage: node app.mjs <command> '<json arguments>'
//   register  {gateway, key, subdomain, alias}      createProfile, POST /profile/address,
//                                                   GET /profile/{address}, POST /profile/name,
//                                                   GET /profile/name/{address}
//   resolve   {rpc, registry, names}                getUserProfile + checkUserProfile + resolveName
//   refusals  {gateway, key, otherKey, alias}       the requests dm3's server refuses
//   delete    {gateway, key, otherKey, alias}       POST /profile/deleteName (wrong key, then right)
// prints one JSON object as its last line (dm3's libraries log to stdout before it).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { ethers } = require("ethers5");
const { createProfile, getUserProfile, checkUserProfile } = require("@dm3-org/dm3-lib-profile");
const { sign } = require("@dm3-org/dm3-lib-crypto");

const [command, json] = process.argv.slice(2);
const args = JSON.parse(json);

/** A dm3 profile for `key`, with keys derived from the wallet's signature (deterministic). */
async function profileFor(key) {
  const wallet = new ethers.Wallet(key);
  const provider = new ethers.providers.JsonRpcProvider("http://127.0.0.1:1");
  const { signedProfile, keys } = await createProfile(wallet.address, ["ds.dm3.eth"], provider, {
    signer: (message) => wallet.signMessage(message),
  });
  return { wallet, signedProfile, signingKey: keys.signingKeyPair.privateKey };
}

async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
}

const post = (path, body) => call("POST", `${args.gateway}${path}`, body);
const get = (path) => call("GET", `${args.gateway}${path}`);

async function register() {
  const { wallet, signedProfile, signingKey } = await profileFor(args.key);
  const addressName = `${wallet.address}.${args.subdomain}`;
  const out = { address: wallet.address, addressName, signedProfile };
  out.setAddress = await post("/profile/address", {
    signedUserProfile: signedProfile,
    address: wallet.address,
    subdomain: args.subdomain,
  });
  out.getProfile = await get(`/profile/${wallet.address.toLowerCase()}`);
  out.claim = await post("/profile/name", {
    dm3Name: args.alias,
    addressName,
    signature: await sign(signingKey, "alias: " + args.alias),
  });
  out.getName = await get(`/profile/name/${wallet.address}`);
  return out;
}

async function resolve() {
  const network = { name: "anvil", chainId: 31337, ensAddress: args.registry };
  const provider = new ethers.providers.StaticJsonRpcProvider(args.rpc, network);
  const out = {};
  for (const name of args.names) {
    const entry = { profile: null, checked: null, address: null, error: null };
    try {
      entry.address = await provider.resolveName(name);
      entry.profile = (await getUserProfile(provider, name)) ?? null;
      if (entry.profile) entry.checked = await checkUserProfile(provider, entry.profile, name);
    } catch (e) {
      entry.error = String(e && (e.reason || e.message || e));
    }
    out[name] = entry;
  }
  return out;
}

async function refusals() {
  const me = await profileFor(args.key);
  const other = await profileFor(args.otherKey);
  const out = {};
  // A profile signed by another wallet, sent for my address.
  out.otherWalletsProfile = await post("/profile/address", {
    signedUserProfile: other.signedProfile,
    address: me.wallet.address,
    subdomain: args.subdomain,
  });
  // An address-name parent the gateway does not serve.
  out.unsupportedSubdomain = await post("/profile/address", {
    signedUserProfile: me.signedProfile,
    address: me.wallet.address,
    subdomain: "addr.evil.eth",
  });
  // Not dm3's schema: the signature is missing / an extra field.
  out.invalidSchema = await post("/profile/address", {
    signedUserProfile: { profile: me.signedProfile.profile },
    address: me.wallet.address,
    subdomain: args.subdomain,
  });
  out.extraField = await post("/profile/address", {
    signedUserProfile: { ...me.signedProfile, profile: { ...me.signedProfile.profile, avatar: "x" } },
    address: me.wallet.address,
    subdomain: args.subdomain,
  });
  out.badAddress = await post("/profile/address", {
    signedUserProfile: me.signedProfile,
    address: "0x1234",
    subdomain: args.subdomain,
  });
  // An alias signed with another key.
  out.aliasOtherKey = await post("/profile/name", {
    dm3Name: args.alias,
    addressName: `${me.wallet.address}.${args.subdomain}`,
    signature: await sign(other.signingKey, "alias: " + args.alias),
  });
  // An alias for an address without a profile.
  out.aliasNoProfile = await post("/profile/name", {
    dm3Name: args.alias,
    addressName: `${other.wallet.address}.${args.subdomain}`,
    signature: await sign(other.signingKey, "alias: " + args.alias),
  });
  // An alias under a parent the gateway does not serve.
  const foreign = args.alias.split(".")[0] + ".evil.eth";
  out.aliasUnsupportedParent = await post("/profile/name", {
    dm3Name: foreign,
    addressName: `${me.wallet.address}.${args.subdomain}`,
    signature: await sign(me.signingKey, "alias: " + foreign),
  });
  out.otherProfile = await get(`/profile/${other.wallet.address}`);
  out.otherName = await get(`/profile/name/${other.wallet.address}`);
  out.badPath = await get(`/profile/name/0x1234`);
  return out;
}

async function remove() {
  const me = await profileFor(args.key);
  const other = await profileFor(args.otherKey);
  const out = {};
  out.otherKey = await post("/profile/deleteName", {
    dm3Name: args.alias,
    signature: await sign(other.signingKey, "remove: " + args.alias),
  });
  out.aliasMessage = await post("/profile/deleteName", {
    dm3Name: args.alias,
    signature: await sign(me.signingKey, "alias: " + args.alias),
  });
  out.remove = await post("/profile/deleteName", {
    dm3Name: args.alias,
    signature: await sign(me.signingKey, "remove: " + args.alias),
  });
  out.getName = await get(`/profile/name/${me.wallet.address}`);
  return out;
}

const commands = { register, resolve, refusals, delete: remove };
console.log(JSON.stringify(await commands[command]()));
