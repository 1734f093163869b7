// The Node package against other implementations: the Rust CLI both ways and OpenSSL
// both ways, PSK and ECDSA; an RSA server certificate from OpenSSL.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { connect, createServer } from '../src/index.js';
import { PSK, PSK_ARG, cliServer, fixture, fixturePath, freePort, run, rustCli } from './helpers.js';

const PSK_HEX = PSK_ARG.split(':')[1];

function echoServer() {
  const server = createServer({ psk: PSK, cert: fixture('server.crt.pem'), key: fixture('server.key.pem') });
  server.on('session', (s) => s.on('message', (m) => s.send(m)));
  return server;
}

test('node client to the Rust CLI server, PSK and ECDSA', async () => {
  const { proc, port } = await cliServer(rustCli, ['--psk', PSK_ARG, '--cert', fixturePath('server.crt.pem'),
    '--key', fixturePath('server.key.pem'), '--echo']);
  try {
    for (const suite of ['psk-gcm', 'ecdsa-ccm8']) {
      const session = await connect({ port, psk: PSK, ca: fixture('ca.crt.pem'), serverName: 'localhost', suites: [suite] });
      session.send(`node says hi over ${suite}`);
      assert.equal((await session.receive({ timeout: 5000 })).toString(), `node says hi over ${suite}`);
      session.end();
    }
  } finally {
    proc.kill();
  }
});

test('the Rust CLI client to a node server, PSK and ECDSA', async () => {
  const server = echoServer();
  const { port } = await server.listen(0, '127.0.0.1');
  for (const args of [['--psk', PSK_ARG, '--suites', 'psk-ccm8'], ['--ca', fixturePath('ca.crt.pem'), '--suites', 'ecdsa-gcm']]) {
    const client = run(rustCli, ['client', `127.0.0.1:${port}`, ...args, '--send', 'rust says hi']);
    assert.equal(await client.exit(), 0, client.output);
    assert.equal(client.stdout.trim(), 'rust says hi');
  }
  server.close();
});

test('node client to openssl s_server, PSK, ECDSA and RSA', async () => {
  const cases = [
    ['PSK-AES128-CCM8:@SECLEVEL=0', ['-nocert', '-psk', PSK_HEX, '-psk_identity', 'client-1'], { psk: PSK },
      'TLS_PSK_WITH_AES_128_CCM_8'],
    ['ECDHE-ECDSA-AES128-GCM-SHA256', ['-cert', fixturePath('server.crt.pem'), '-key', fixturePath('server.key.pem')],
      { ca: fixture('ca.crt.pem'), serverName: 'localhost' }, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
    // An RSA server certificate, verified against the RSA CA (ECDHE_RSA, client side).
    ['ECDHE-RSA-AES128-GCM-SHA256', ['-cert', fixturePath('rsa-server.crt.pem'), '-key', fixturePath('rsa-server.key.pem')],
      { ca: fixture('rsa-ca.crt.pem'), serverName: 'localhost' }, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
  ];
  for (const [cipher, serverArgs, options, negotiated] of cases) {
    const port = await freePort();
    const sServer = run('openssl', ['s_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, '-cipher', cipher, '-naccept', '1', ...serverArgs]);
    try {
      // s_server may not listen yet: the ClientHello retransmission covers that.
      const session = await connect({ port, timeout: 15_000, ...options });
      assert.equal(session.cipherSuite, negotiated);
      session.send('hello from node\n');
      await sServer.waitFor('hello from node');
      sServer.child.stdin.write('hello from openssl\n');
      assert.equal((await session.receive({ timeout: 5000 })).toString(), 'hello from openssl\n');
      session.end();
    } finally {
      sServer.kill();
    }
  }
});

test('openssl s_client to a node server, PSK and ECDSA', async () => {
  const server = echoServer();
  const { port } = await server.listen(0, '127.0.0.1');
  const cases = [
    ['PSK-AES128-GCM-SHA256', ['-psk', PSK_HEX, '-psk_identity', 'client-1']],
    ['ECDHE-ECDSA-AES128-CCM8:@SECLEVEL=0', ['-CAfile', fixturePath('ca.crt.pem'), '-verify_return_error', '-verify_hostname', 'localhost']],
  ];
  for (const [cipher, args] of cases) {
    const sClient = run('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, '-cipher', cipher, ...args]);
    try {
      await sClient.waitFor('Extended master secret: yes');
      sClient.child.stdin.write('ping from openssl\n');
      // The echo comes back and s_client prints it.
      await sClient.waitFor('ping from openssl');
    } finally {
      sClient.kill();
    }
  }
  server.close();
});
