// NameStone's ezccip behind a minimal node:http server, answering the same
// EIP-3668 requests as the dm3 gateway with the same signing scheme ("ens":
// keccak256(0x1900 ‖ origin ‖ expires ‖ keccak(request) ‖ keccak(result)),
// 65-byte signature). Records come from the same JSON lines the gateway
// imports. For scripts/bench only: loopback, no TLS, no limits.
//
// usage: node server.mjs PORT RECORDS.jsonl
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { SigningKey } from "ethers";
import { EZCCIP } from "@namestone/ezccip";

const [port, recordsFile] = process.argv.slice(2);
const records = new Map();
for (const line of readFileSync(recordsFile, "utf8").split("\n")) {
  if (!line) continue;
  const { name, record } = JSON.parse(line);
  records.set(name, record);
}
// Any fixed key: the benchmark measures the cost, not the trust.
const signingKey = new SigningKey("0x" + "42".repeat(32));
const PROFILE_KEYS = ["eth.dm3.profile", "network.dm3.profile", "dm3.profile"];

const ezccip = new EZCCIP();
ezccip.enableENSIP10(
  (name) => {
    const record = records.get(name);
    if (!record) return undefined;
    return {
      text(key) {
        if (PROFILE_KEYS.includes(key)) return record.texts?.["eth.dm3.profile"];
        return record.texts?.[key];
      },
      addr(type) {
        return record.addresses?.[String(type)];
      },
      contenthash() {
        return record.contenthash;
      },
    };
  },
  { multicall: true },
);

createServer(async (req, res) => {
  try {
    // GET /{sender}/{data}.json
    const [, sender, file] = req.url.split("/");
    const data = file.replace(/\.json$/, "");
    const { data: answer } = await ezccip.handleRead(sender, data, {
      protocol: "ens",
      signingKey,
      origin: sender,
      ttlSec: 300,
    });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ data: answer }));
  } catch (e) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: String(e.message || e) }));
  }
}).listen(Number(port), "127.0.0.1");
