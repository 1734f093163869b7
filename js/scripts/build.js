// Builds the Node package's generated bindings: the wasm-dtls component (built with
// cargo for wasm32-wasip2 when it is not there yet), transpiled with jco into
// generated/. `WASM_DTLS_COMPONENT=path` uses another component.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { transpile } from '@bytecodealliance/jco-transpile';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
// Not the host's build (target/component-build), which uses the wide-arithmetic
// proposal that V8 does not run yet: this one is portable.
const targetDir = join(root, 'target', 'component-portable');
const built = join(targetDir, 'wasm32-wasip2', 'component', 'wasm_dtls_component.wasm');
const out = resolve(here, '..', 'generated');

// jco 0.15's bindings call `_debugLog` several times per call into the component,
// and it reads `process.env.JCO_DEBUG` each time — an environment lookup through
// Node's C++ layer that took 13 % of a PSK handshake in Node (BENCHMARKS.md). Read it
// once, when the module loads; JCO_DEBUG still works as before.
const DEBUG_LOG = `const _debugLog = (...args) => {
  if (!globalThis?.process?.env?.JCO_DEBUG) { return; }
  console.debug(...args);
};`;
const DEBUG_LOG_ONCE = `const _jcoDebug = Boolean(globalThis?.process?.env?.JCO_DEBUG);
const _debugLog = (...args) => {
  if (!_jcoDebug) { return; }
  console.debug(...args);
};`;

/** The bindings with JCO_DEBUG read once; unchanged (and said so) if jco's differ. */
function readEnvOnce(bytes) {
  const source = Buffer.from(bytes).toString('utf8');
  if (!source.includes(DEBUG_LOG)) {
    console.warn('jco\'s _debugLog changed: the bindings read JCO_DEBUG on every call');
    return bytes;
  }
  return source.replace(DEBUG_LOG, DEBUG_LOG_ONCE);
}

let component = process.env.WASM_DTLS_COMPONENT;
if (!component) {
  // The host crate's build command without its code-generation flag (host/build.rs);
  // flags from the environment are kept out of it too.
  const env = { ...process.env };
  delete env.RUSTFLAGS;
  delete env.CARGO_ENCODED_RUSTFLAGS;
  execFileSync('cargo', ['build', '--locked', '--package', 'wasm-dtls-component',
    '--target', 'wasm32-wasip2', '--profile', 'component', '--target-dir', targetDir],
  { cwd: root, stdio: 'inherit', env });
  component = built;
}
if (!existsSync(component)) {
  console.error(`no component at ${component}`);
  process.exit(1);
}

const { files } = await transpile(component, {
  name: 'wasm_dtls',
  instantiation: undefined,
  emitTypescriptDeclarations: true,
  nodejsCompat: true,
});
rmSync(out, { recursive: true, force: true });
for (const [name, bytes] of Object.entries(files)) {
  const path = join(out, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, name === 'wasm_dtls.js' ? readEnvOnce(bytes) : bytes);
}
console.log(`transpiled ${component} into ${out} (${Object.keys(files).length} files)`);
