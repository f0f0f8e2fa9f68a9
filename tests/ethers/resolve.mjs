// Resolves an ENS name with ethers v6, the library the dm3 web app uses,
// following CCIP-read exactly as ethers does in the browser.
//
// usage: node resolve.mjs <rpcUrl> <ensRegistry> <name> [textKey...]
// prints JSON: {"resolver", "address", "texts": {key: value}, "error", "rawCallError"}
//
// ethers' EnsResolver returns null when the resolver call reverts, so the
// script also makes the raw `resolve(dnsName, text(node, firstKey))` call with
// CCIP-read enabled and reports its error, which shows a failed verification.
import { dnsEncode, EnsPlugin, Interface, JsonRpcProvider, namehash, Network } from "ethers";

const [rpcUrl, registry, name, ...keys] = process.argv.slice(2);
const chainId = 31337;
const network = new Network("anvil", chainId);
network.attachPlugin(new EnsPlugin(registry, chainId));
const provider = new JsonRpcProvider(rpcUrl, network, { staticNetwork: network });

const out = { resolver: null, address: null, texts: {}, error: null, rawCallError: null };
try {
  const resolver = await provider.getResolver(name);
  if (resolver) {
    out.resolver = resolver.address;
    out.address = await resolver.getAddress();
    for (const key of keys) out.texts[key] = await resolver.getText(key);
    if (keys.length > 0) {
      const records = new Interface(["function text(bytes32,string) view returns (string)"]);
      const extended = new Interface(["function resolve(bytes,bytes) view returns (bytes)"]);
      const data = extended.encodeFunctionData("resolve", [
        dnsEncode(name, 255),
        records.encodeFunctionData("text", [namehash(name), keys[0]]),
      ]);
      try {
        await provider.call({ to: resolver.address, data, enableCcipRead: true });
      } catch (e) {
        out.rawCallError = String(e && (e.shortMessage || e.message || e));
      }
    }
  }
} catch (e) {
  out.error = String(e && (e.shortMessage || e.message || e));
}
provider.destroy();
console.log(JSON.stringify(out));
