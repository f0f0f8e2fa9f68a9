// Every error code the gateway can answer (gateway/src/http/error.rs `outcome`,
// and the codes the HTTP edge makes from statuses in gateway/src/http/mod.rs)
// has a sentence in the page (web/src/api.js), and an unknown one still shows
// the gateway's own message.
//
// usage: node --test tests/browser/api.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ApiError, ERROR_MESSAGES } from '../../web/src/api.js';

const source = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

test('every error code of the gateway has a message in the page', () => {
  const codes = new Set();
  const errors = source('gateway/src/http/error.rs');
  const body = errors.slice(errors.indexOf('const fn refused('), errors.indexOf('pub(super) struct FailureCause'));
  // `refused(status, "code")`, `failed(status, "code", …)` and the protocol's `Variant => "code"`.
  for (const [, code] of body.matchAll(/(?:refused|failed)\(\s*[A-Za-z:_]+,\s*"([a-z0-9_]+)"/g)) codes.add(code);
  for (const [, code] of body.matchAll(/=> "([a-z0-9_]+)"/g)) codes.add(code);
  for (const file of ['gateway/src/http/error.rs', 'gateway/src/http/mod.rs', 'gateway/src/http/info.rs']) {
    for (const [, code] of source(file).matchAll(/error_response\(\s*[A-Za-z:_]+,\s*"([a-z_]+)"/g)) codes.add(code);
    for (const [, code] of source(file).matchAll(/"code": "([a-z_]+)"/g)) codes.add(code);
  }
  // The edge's JSON for middleware errors: canonical reason, lower case, `_` for spaces.
  for (const code of ['payload_too_large', 'request_timeout', 'too_many_requests', 'uri_too_long']) codes.add(code);
  assert.ok(codes.size > 30, `found only ${codes.size} codes`);
  const missing = [...codes].filter((code) => !ERROR_MESSAGES[code]);
  assert.deepEqual(missing, []);
});

test('an error shows the sentence and the gateway detail; an unknown code still says what happened', () => {
  const known = new ApiError(409, 'name_taken', 'name is already claimed');
  assert.match(known.message, /already holds this name/);
  assert.match(known.message, /name is already claimed/);
  const unknown = new ApiError(418, 'teapot', 'short and stout');
  assert.match(unknown.message, /418: short and stout/);
});
