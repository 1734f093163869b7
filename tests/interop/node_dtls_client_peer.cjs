// A node-dtls-client peer for tests/node_dtls_client_interop.rs: node-dtls-client (npm,
// a DTLS client in JavaScript, PSK only), installed by scripts/test.sh into
// target/interop-npm. Handshakes with 127.0.0.1:PORT using SUITE and the PSK, sends
// MESSAGE, prints "reply: ..." and closes; exits 1 on an error or after LIMIT_MS.
//
//   node node_dtls_client_peer.cjs PORT SUITE IDENTITY KEY MESSAGE
const path = require('node:path');

const { dtls } = require(path.join(__dirname, '../../target/interop-npm/node_modules/node-dtls-client'));

const LIMIT_MS = 20_000;
const [port, suite, identity, key, message] = process.argv.slice(2);
const socket = dtls.createSocket({
  type: 'udp4',
  address: '127.0.0.1',
  port: Number(port),
  psk: { [identity]: key },
  ciphers: [suite],
});
const timer = setTimeout(() => {
  console.log('gave up');
  process.exit(1);
}, LIMIT_MS);
socket
  .on('connected', () => {
    console.log('connected');
    socket.send(Buffer.from(message));
  })
  .on('message', (reply) => {
    console.log(`reply: ${reply.toString()}`);
    clearTimeout(timer);
    socket.close();
  })
  .on('error', (e) => {
    console.log(`error: ${e.message}`);
    process.exit(1);
  });
