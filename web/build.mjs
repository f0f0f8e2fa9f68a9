// Builds web/dist/app.js from web/src/ with esbuild (pinned in package.json):
// one minified ES module, tree-shaken, no source map, no timestamps, so the
// output depends only on the sources and the pinned packages.
//
// usage: node web/build.mjs          rebuild web/dist/app.js
//        node web/build.mjs --check  fail unless the committed file is what the sources build to
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const out = `${root}dist/app.js`;
const result = await build({
  entryPoints: [`${root}src/main.js`],
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  write: false,
  logLevel: 'warning',
});
const code = result.outputFiles[0].contents;
if (process.argv.includes('--check')) {
  const committed = readFileSync(out);
  if (!committed.equals(Buffer.from(code))) {
    console.error(`${out} is not what web/src builds to: run \`node web/build.mjs\` and commit it`);
    process.exit(1);
  }
  console.log(`web/dist/app.js matches its sources (${code.length} bytes)`);
} else {
  writeFileSync(out, code);
  console.log(`wrote web/dist/app.js (${code.length} bytes)`);
}
