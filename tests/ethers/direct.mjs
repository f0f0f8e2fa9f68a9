// Resolves a text record and the address of an ENS name in one multicall
// through a UniversalResolver-style contract (ENSIP-23 `resolve(name, data)`
// returning `(bytes result, address resolver)`) with ethers v6's CCIP-read,
// the way a client using the UniversalResolver's direct path does.
//
// usage: node direct.mjs <rpcUrl> <universalResolver> <name> <textKey>
// prints JSON: {"resolver", "text", "address", "error"}
import { AbiCoder, dnsEncode, Interface, JsonRpcProvider, namehash } from "ethers";

const [rpcUrl, universalResolver, name, key] = process.argv.slice(2);
const provider = new JsonRpcProvider(rpcUrl, 31337, { staticNetwork: true });
const records = new Interface([
  "function text(bytes32,string) view returns (string)",
  "function addr(bytes32) view returns (address)",
  "function multicall(bytes[]) view returns (bytes[])",
]);
const ur = new Interface(["function resolve(bytes,bytes) view returns (bytes,address)"]);

const out = { resolver: null, text: null, address: null, error: null };
try {
  const node = namehash(name);
  const calls = [records.encodeFunctionData("text", [node, key]), records.encodeFunctionData("addr", [node])];
  const data = ur.encodeFunctionData("resolve", [dnsEncode(name, 255), records.encodeFunctionData("multicall", [calls])]);
  const raw = await provider.call({ to: universalResolver, data, enableCcipRead: true });
  const [result, resolver] = ur.decodeFunctionResult("resolve", raw);
  const [results] = AbiCoder.defaultAbiCoder().decode(["bytes[]"], result);
  out.resolver = resolver;
  out.text = records.decodeFunctionResult("text", results[0])[0];
  out.address = records.decodeFunctionResult("addr", results[1])[0];
} catch (e) {
  out.error = String(e && (e.shortMessage || e.message || e));
}
provider.destroy();
console.log(JSON.stringify(out));
