// The package's `wasm-dtls` bin: the Rust CLI's flags and output contract.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PSK_ARG, cliServer, fixturePath, nodeCli, run } from './helpers.js';

test('the node bin serves and connects like the Rust CLI', async () => {
  const { proc, port } = await cliServer(process.execPath, ['--psk', PSK_ARG,
    '--cert', fixturePath('server.crt.pem'), '--key', fixturePath('server.key.pem'), '--echo'], [nodeCli]);
  try {
    const ok = run(process.execPath, [nodeCli, 'client', `127.0.0.1:${port}`, '--psk', PSK_ARG, '--send', 'hi']);
    assert.equal(await ok.exit(), 0, ok.output);
    assert.equal(ok.stdout, 'hi\n');
    const ecdsa = run(process.execPath, [nodeCli, 'client', `127.0.0.1:${port}`, '--ca', fixturePath('ca.crt.pem'),
      '--suites', 'ecdsa-gcm', '--send', 'certified', '--trace']);
    assert.equal(await ecdsa.exit(), 0, ecdsa.output);
    assert.match(ecdsa.output, /ServerKeyExchange/);
    const wrong = run(process.execPath, [nodeCli, 'client', `127.0.0.1:${port}`, '--psk', 'client-1:00ff', '--send', 'x']);
    assert.equal(await wrong.exit(), 1);
    assert.match(wrong.output, /error: NX_SECURE_TLS_ALERT_RECEIVED \(0x114\)/);
  } finally {
    proc.kill();
  }
});
