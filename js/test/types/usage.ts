// What a TypeScript user writes against the package, type-checked (never run) by
// test/types.test.js: the README's examples, every member of the API, and misuse the
// declarations must refuse (each `@ts-expect-error` fails the check if it compiles).
import { readFileSync } from 'node:fs';
import { lookup } from 'node:dns';
import {
  connect,
  createServer,
  DtlsError,
  DtlsServer,
  DtlsSession,
  MAX_WAITING_MESSAGES,
  ServerSession,
  type AddressInfo,
  type CommonOptions,
  type ConnectOptions,
  type ServerOptions,
} from 'wasm-dtls';

// The README's client.
export async function client(): Promise<void> {
  const session: DtlsSession = await connect({
    host: '127.0.0.1', port: 5684,
    psk: [{ identity: 'device-17', key: Buffer.from('0123456789abcdef') }],
  });
  session.send(Buffer.from([0x41, 0x01, 0x00, 0x01, 0x01, 0xbb, ...Buffer.from('temperature')]));
  const reply: Buffer = await session.receive({ timeout: 5000 });
  console.log(reply, await session.receive(1000), await session.receive());
  session.end();
}

// The README's server.
export async function server(): Promise<AddressInfo> {
  const srv: DtlsServer = createServer({
    cert: readFileSync('server.crt.pem'), key: readFileSync('server.key.pem'),
    psk: [{ identity: 'device-17', key: Buffer.from('0123456789abcdef') }],
    maxSessions: 32,
  });
  srv.on('connect', (session: ServerSession, address: AddressInfo) => console.log('connect', session.id.slot, address.port));
  srv.on('session', (session) => session.on('message', (data: Buffer) => session.send(data)));
  srv.on('error', (error, session) => console.error(error.code, error.status, error.detail, session?.id.generation));
  srv.on('close', () => console.log('closed'));
  const bound = await srv.listen(5684, '0.0.0.0');
  console.log(srv.address()?.port);
  srv.close();
  return bound;
}

// Every option and member.
export async function everything(): Promise<void> {
  const common: CommonOptions = {
    suites: ['psk-ccm8', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
    groups: ['x25519', 'P-256'],
    mtu: 1200,
    retransmitInitialMs: 1000,
    retransmitMaxMs: 60_000,
    maxTransmissions: 11,
    idleTimeoutMs: 30_000,
    requireExtendedMasterSecret: true,
    unixTime: 1_798_761_600,
    keylog: (line: string) => console.log(line),
    trace: (line: string, atMs: number) => console.log(atMs, line),
    ca: [readFileSync('ca.crt.pem'), '-----BEGIN CERTIFICATE-----'],
  };
  const options: ConnectOptions = { ...common, port: 5684, host: 'localhost', serverName: 'device', timeout: 3000, lookup };
  const session = await connect(options);
  const name: string | undefined = session.cipherSuite;
  const group: 'x25519' | 'secp256r1' | undefined = session.namedGroup;
  const chain: Buffer[] = session.peerCertificates;
  const counts: number = session.waiting + session.dropped + MAX_WAITING_MESSAGES;
  const ours = session.address();
  console.log(name, group, chain, counts, ours?.family, session.clientInfo().address);
  const saved: Buffer | undefined = session.getSession();
  const again = await connect({ ...options, session: saved });
  const reused: boolean = again.isSessionReused();
  console.log(reused);
  session.on('close', (error?: DtlsError) => console.log(error?.status));
  session.on('error', (error: DtlsError) => console.log(error.code));
  session.reset();
  const serverOptions: ServerOptions = {
    ...common, verifyClient: 4, maxSessions: 8, sessionCacheSize: 256, sessionTimeout: 3600,
  };
  const server = createServer(serverOptions);
  createServer({ verifyClient: true });
  createServer();
  await server.listen();
  try {
    await connect({ port: 1 });
  } catch (e) {
    if (e instanceof DtlsError) console.log(e.code, e.status, e.detail, e.message);
  }
}

// Misuse the declarations refuse.
export async function misuse(session: DtlsSession, error: DtlsError): Promise<void> {
  // @ts-expect-error a port is required
  await connect({ host: '127.0.0.1' });
  // @ts-expect-error data is bytes or a string
  session.send(42);
  // @ts-expect-error a PSK needs its key
  createServer({ psk: [{ identity: 'a' }] });
  // @ts-expect-error no such event
  session.on('data', () => {});
  // @ts-expect-error code is read-only
  error.code = 'x';
  // @ts-expect-error a saved session is bytes from getSession()
  await connect({ port: 1, session: 'saved' });
}
