// Resolving a name through the chain in the browser with viem, as a wallet
// does: the ENSIP-10 registry walk to the resolver, then
// `resolve(dnsName, record call)` with viem's CCIP-read, which fetches the
// gateway's signed answer and has the resolver contract verify it in
// `resolveWithProof`. Through the ENS UniversalResolver too, when the
// operator configured one. Every OffchainLookup is recorded so the page can
// link the raw answer.

import { getEnsAddress, getEnsText, readContract } from 'viem/actions';
import {
  ccipRequest,
  createClient,
  custom,
  decodeFunctionResult,
  encodeFunctionData,
  http,
  parseAbi,
  toHex,
  zeroAddress,
} from 'viem';
import { namehash } from 'viem/ens';

const REGISTRY_ABI = parseAbi(['function resolver(bytes32 node) view returns (address)']);
const EXTENDED_ABI = parseAbi(['function resolve(bytes name, bytes data) view returns (bytes)']);
const RECORD_ABI = parseAbi([
  'function addr(bytes32 node) view returns (address)',
  'function text(bytes32 node, string key) view returns (string)',
  'function contenthash(bytes32 node) view returns (bytes)',
]);

/** DNS wire format of a name (ENSIP-10): length-prefixed UTF-8 labels, then a zero byte. */
export function dnsEncode(name) {
  const bytes = [];
  for (const label of name.split('.')) {
    const encoded = new TextEncoder().encode(label);
    if (encoded.length < 1 || encoded.length > 255) throw new Error(`label “${label}” has ${encoded.length} bytes`);
    bytes.push(encoded.length, ...encoded);
  }
  bytes.push(0);
  return toHex(new Uint8Array(bytes));
}

/** A viem client over the configured RPC URL, or else over the wallet. */
export function chainClient(config, lookups) {
  const transport = config.rpcUrl ? http(config.rpcUrl) : custom(window.ethereum);
  // A bare client with only the actions imported here keeps the bundle small.
  return createClient({
    transport,
    ccipRead: {
      async request(params) {
        lookups.push({ sender: params.sender, data: params.data, urls: params.urls });
        return gatewayRequest(params);
      },
    },
  });
}

/**
 * EIP-3668 gateway request, like viem's `ccipRequest` but revalidating with
 * the gateway (`cache: 'no-cache'`): the gateway's GET answers may be kept by
 * HTTP caches for `--cache-ttl`, and a page that just changed a name must see
 * the change. The UniversalResolver's local batch gateway goes to viem.
 */
async function gatewayRequest({ data, sender, urls }) {
  if (urls.includes('x-batch-gateway:true')) return ccipRequest({ data, sender, urls });
  let failure = null;
  for (const url of urls) {
    const get = url.includes('{data}');
    const href = url.replaceAll('{sender}', sender.toLowerCase()).replaceAll('{data}', data);
    try {
      const response = await fetch(
        href,
        get
          ? { cache: 'no-cache' }
          : { method: 'POST', cache: 'no-store', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data, sender }) },
      );
      const text = await response.text();
      if (!response.ok) {
        failure = new Error(`gateway ${href.slice(0, 80)}… answered ${response.status}: ${text.slice(0, 200)}`);
        continue;
      }
      let answer;
      try {
        answer = JSON.parse(text).data;
      } catch {
        answer = text.trim();
      }
      if (typeof answer === 'string' && /^0x([0-9a-fA-F]{2})*$/.test(answer)) return answer;
      failure = new Error(`gateway ${href.slice(0, 80)}… answered no hex data`);
    } catch (error) {
      failure = error;
    }
  }
  throw failure ?? new Error('the resolver named no gateway URL');
}

/** The URL a GET lookup fetched (EIP-3668 template filled in), or null for POST templates. */
export function lookupUrl({ sender, data, urls }) {
  const template = urls.find((u) => u.includes('{data}'));
  if (!template) return null;
  return template.replaceAll('{sender}', sender.toLowerCase()).replaceAll('{data}', data);
}

/** ENSIP-10: the resolver of the name or of its closest ancestor that has one. */
export async function findResolver(client, registry, name) {
  const labels = name.split('.');
  for (let i = 0; i < labels.length; i++) {
    const candidate = labels.slice(i).join('.');
    const resolver = await readContract(client, {
      address: registry,
      abi: REGISTRY_ABI,
      functionName: 'resolver',
      args: [namehash(candidate)],
    });
    if (resolver !== zeroAddress) return { resolver, at: candidate };
  }
  return { resolver: null, at: null };
}

/**
 * Resolves `addr`, the given text keys and the content hash of `name` by the
 * registry walk, each through `resolve()` with CCIP-read (verified on chain).
 */
export async function resolveByRegistry(config, name, textKeys) {
  const lookups = [];
  const client = chainClient(config, lookups);
  const { resolver, at } = await findResolver(client, config.ensRegistry, name);
  if (!resolver) return { resolver: null, at, lookups };
  const node = namehash(name);
  const dns = dnsEncode(name);
  const call = async (functionName, args) => {
    const first = lookups.length;
    const data = encodeFunctionData({ abi: RECORD_ABI, functionName, args });
    const answer = await readContract(client, {
      address: resolver,
      abi: EXTENDED_ABI,
      functionName: 'resolve',
      args: [dns, data],
    });
    const label = functionName === 'text' ? `text(${args[1]})` : `${functionName}()`;
    for (const lookup of lookups.slice(first)) lookup.label = label;
    return decodeFunctionResult({ abi: RECORD_ABI, functionName, data: answer });
  };
  const addr = await call('addr', [node]);
  const texts = {};
  for (const key of textKeys) texts[key] = await call('text', [node, key]);
  const contenthash = await call('contenthash', [node]);
  return { resolver, at, addr, texts, contenthash, lookups };
}

/** The same records through the configured ENS UniversalResolver (viem's getEns* actions). */
export async function resolveByUniversalResolver(config, name, textKeys) {
  const lookups = [];
  const client = chainClient(config, lookups);
  const universalResolverAddress = config.universalResolver;
  const addr = await getEnsAddress(client, { name, universalResolverAddress });
  const texts = {};
  for (const key of textKeys) texts[key] = await getEnsText(client, { name, key, universalResolverAddress });
  return { addr, texts, lookups };
}
