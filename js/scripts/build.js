// Builds the Node package's generated bindings: the wasm-dtls component (built with
// cargo for wasm32-wasip2 when it is not there yet), its core module optimised for V8
// with binaryen's wasm-opt and transpiled with jco into generated/.
// `WASM_DTLS_COMPONENT=path` uses another component.
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

// wasm-opt (binaryen, which jco-transpile depends on and runs) over the core module,
// for speed in V8. Node 20's V8 does not inline one wasm function into another, and
// without the wide-arithmetic proposal every 64×64→128-bit product of P-256's field
// arithmetic is a call to compiler-rt's `__multi3`, which LTO cannot inline either:
// 27 % of an ECDSA handshake in Node was that call. -O3 with "flexible" inlining of
// small call-free functions up to 100 instructions inlines `__multi3` (~55 in
// binaryen's measure) at its ~800 call sites, where the zero high halves of its
// operands fold away. Measured (BENCHMARKS.md, twelfth session): ECDSA handshakes
// ~15–20 % faster, PSK within noise, the core module 655 → 635 KB. The features are
// those rustc's wasm32-wasip2 target and our +simd128 emit.
const WASM_OPT_ARGS = ['-O3', '--flexible-inline-max-function-size', '100',
  '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
  '--enable-simd'];

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
  optimize: true,
  optimizeOptions: { optArgs: WASM_OPT_ARGS },
});
rmSync(out, { recursive: true, force: true });
for (const [name, bytes] of Object.entries(files)) {
  const path = join(out, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, name === 'wasm_dtls.js' ? readEnvOnce(bytes) : bytes);
}
console.log(`transpiled ${component} into ${out} (${Object.keys(files).length} files)`);
