// The package's `wasm-dtls` bin: the Rust CLI's flags and output contract.
import assert from 'node:assert/strict';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { PSK_ARG, cliServer, fixturePath, nodeCli, run, rustCli } from './helpers.js';

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
    assert.match(ecdsa.output, /with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 on x25519\n/);
    const p256 = run(process.execPath, [nodeCli, 'client', `127.0.0.1:${port}`, '--ca', fixturePath('ca.crt.pem'),
      '--suites', 'ecdsa-gcm', '--groups', 'P-256', '--send', 'over P-256']);
    assert.equal(await p256.exit(), 0, p256.output);
    assert.match(p256.output, / on secp256r1\n/);
    await proc.waitFor('established with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 on secp256r1');
    const wrong = run(process.execPath, [nodeCli, 'client', `127.0.0.1:${port}`, '--psk', 'client-1:00ff', '--send', 'x']);
    assert.equal(await wrong.exit(), 1);
    assert.match(wrong.output, /error: NX_SECURE_TLS_ALERT_RECEIVED \(0x114\)/);
  } finally {
    proc.kill();
  }
});

test('--reconnect, --sess-out and --sess-in resume sessions as the Rust CLI does, across the two', async () => {
  const { proc, port } = await cliServer(process.execPath, ['--psk', PSK_ARG, '--echo'], [nodeCli]);
  const file = join(tmpdir(), `wasm-dtls-node-bin-${process.pid}.session`);
  try {
    const node = (args) => run(process.execPath, [nodeCli, 'client', `127.0.0.1:${port}`, '--psk', PSK_ARG, ...args]);
    const twice = node(['--reconnect', '--send', 'twice']);
    assert.equal(await twice.exit(), 0, twice.output);
    const lines = twice.output.split('\n').filter((l) => l.startsWith('connected to '));
    assert.equal(lines.length, 2, twice.output);
    assert.doesNotMatch(lines[0], /resumed/);
    assert.match(lines[1], /, resumed session$/);
    await proc.waitFor('established with TLS_PSK_WITH_AES_128_CCM_8, resumed session');
    // Saved by the node bin, resumed by the Rust CLI: one file format.
    const out = node(['--sess-out', file, '--send', 'save']);
    assert.equal(await out.exit(), 0, out.output);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const rust = run(rustCli, ['client', `127.0.0.1:${port}`, '--psk', PSK_ARG, '--sess-in', file, '--send', 'again']);
    assert.equal(await rust.exit(), 0, rust.output);
    assert.match(rust.output, /, resumed session\n/);
    writeFileSync(file, 'garbage');
    const bad = node(['--sess-in', file, '--send', 'x']);
    assert.equal(await bad.exit(), 1);
    assert.match(bad.output, /NX_INVALID_PARAMETERS \(0x4D\)/);
  } finally {
    proc.kill();
    rmSync(file, { force: true });
  }
});

test('signals end sessions with close_notify, and the interactive client says why it ended', async () => {
  const node = (args) => run(process.execPath, [nodeCli, ...args]);
  // SIGTERM stops the server politely: its client, waiting for input, hears
  // close_notify, says so and exits 0.
  const stopped = await cliServer(process.execPath, ['--psk', PSK_ARG], [nodeCli]);
  try {
    const client = node(['client', `127.0.0.1:${stopped.port}`, '--psk', PSK_ARG]);
    await client.waitFor('connected to');
    stopped.proc.child.kill('SIGTERM');
    assert.equal(await client.exit(), 0, client.output);
    assert.match(client.output, /the server closed the session/);
  } finally {
    stopped.proc.kill();
  }
  // Ctrl-C on the client sends close_notify, which the server reports as a plain
  // disconnect (an error would follow a colon).
  const serving = await cliServer(process.execPath, ['--psk', PSK_ARG], [nodeCli]);
  try {
    const client = node(['client', `127.0.0.1:${serving.port}`, '--psk', PSK_ARG]);
    await client.waitFor('connected to');
    client.child.kill('SIGINT');
    assert.equal(await client.exit(), 0, client.output);
    await serving.proc.waitFor('disconnected\n');
  } finally {
    serving.proc.kill();
  }
});

test('--idle-timeout frees the slot of a client that went silent, and bad values are refused', async () => {
  const { proc, port } = await cliServer(process.execPath, ['--psk', PSK_ARG, '--idle-timeout', '0.5'], [nodeCli]);
  const client = run(process.execPath, [nodeCli, 'client', `127.0.0.1:${port}`, '--psk', PSK_ARG]);
  try {
    await client.waitFor('connected to');
    await proc.waitFor('disconnected: WASM_DTLS_IDLE_TIMEOUT (0x8002)');
  } finally {
    client.kill();
    proc.kill();
  }
  for (const seconds of ['0', '-1', 'abc', 'Infinity']) {
    const bad = run(process.execPath, [nodeCli, 'client', '127.0.0.1:9', '--psk', PSK_ARG, `--idle-timeout=${seconds}`]);
    assert.equal(await bad.exit(), 1, bad.output);
    assert.match(bad.output, /--idle-timeout must be a positive number of seconds/);
  }
});

test('--version prints the version as the Rust CLI does', async () => {
  const proc = run(process.execPath, [nodeCli, '--version']);
  assert.equal(await proc.exit(), 0, proc.output);
  assert.match(proc.stdout, /^wasm-dtls \d+\.\d+\.\d+\n$/);
});
