// The benchmark script behind `wasm-dtls bench --node` and `cargo bench`: every
// handshake and record it times completes (it throws otherwise) and every figure is
// there. Its timings are never compared with thresholds (the machines are shared).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

const script = new URL('../bench/figures.js', import.meta.url);

test('the bench script measures handshakes and records for every suite', () => {
  const stdout = execFileSync(process.execPath, [script.pathname, '10'], { encoding: 'utf8' });
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(lines.map((l) => l.suite), [
    'psk-ccm8', 'psk-gcm', 'psk-chacha20', 'psk-aes256-gcm', 'ecdhe-psk-chacha20',
    'ecdsa-ccm8', 'ecdsa-gcm', 'ecdsa-chacha20', 'ecdsa-aes256-gcm',
  ]);
  for (const line of lines) {
    assert.ok(line.perSecond > 0, JSON.stringify(line));
    assert.ok(line.recordMbPerSecond > 0, JSON.stringify(line));
  }
});
