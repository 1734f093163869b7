// `npm run build` optimises the core module for V8 (scripts/build.js): without wide
// arithmetic, each 64×64→128-bit product of P-256 is a call to compiler-rt's `__multi3`
// unless wasm-opt inlines it, and V8 does not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { print } from '@bytecodealliance/jco-transpile/wasm-tools';

// `__multi3(result: *mut u128, a_lo, a_hi, b_lo, b_hi)` on wasm32: the result goes
// through memory, so it is the only function of the module with this type; once every
// call site is inlined, wasm-opt removes the function and its type.
const MULTI3_TYPE = /\(type \(;\d+;\) \(func \(param i32 i64 i64 i64 i64\)\)\)/;

test('the core module has no 128-bit multiply left as a call', async () => {
  const core = readFileSync(new URL('../generated/wasm_dtls.core.wasm', import.meta.url));
  const wat = await print(core);
  assert.ok(wat.includes('i64.mul'), 'the module should multiply 64-bit words inline');
  assert.doesNotMatch(wat, MULTI3_TYPE);
});
