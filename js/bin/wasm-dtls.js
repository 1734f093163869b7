#!/usr/bin/env node
// `wasm-dtls client|server`: the same flags and output as the Rust CLI.
//   wasm-dtls server --listen HOST:PORT [--psk IDENTITY:HEXKEY]... [--cert FILE --key FILE]
//                    [--ca FILE]... [--verify-client] [--suites LIST] [--groups LIST] [--mtu N]
//                    [--max-sessions N] [--idle-timeout SECONDS] [--echo] [--keylog FILE] [--trace]
//   wasm-dtls client HOST:PORT [--psk IDENTITY:HEXKEY] [--ca FILE]... [--cert FILE --key FILE]
//                    [--server-name NAME] [--suites LIST] [--groups LIST] [--mtu N] [--send TEXT]
//                    [--keylog FILE] [--trace] [--timeout SECONDS] [--idle-timeout SECONDS]
//                    [--sess-in FILE] [--sess-out FILE] [--reconnect]
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import { DtlsError, connect, createServer } from '../src/index.js';

const USAGE = `usage:
  wasm-dtls server --listen HOST:PORT [--psk IDENTITY:HEXKEY]... [--cert FILE --key FILE]
                   [--ca FILE]... [--verify-client] [--suites LIST] [--groups LIST] [--mtu N]
                   [--max-sessions N] [--idle-timeout SECONDS] [--echo] [--keylog FILE] [--trace]
  wasm-dtls client HOST:PORT [--psk IDENTITY:HEXKEY] [--ca FILE]... [--cert FILE --key FILE]
                   [--server-name NAME] [--suites LIST] [--groups LIST] [--mtu N] [--send TEXT]
                   [--keylog FILE] [--trace] [--timeout SECONDS] [--idle-timeout SECONDS]
                   [--sess-in FILE] [--sess-out FILE] [--reconnect]`;

const COMMON = {
  psk: { type: 'string', multiple: true },
  ca: { type: 'string', multiple: true },
  cert: { type: 'string' },
  key: { type: 'string' },
  suites: { type: 'string' },
  groups: { type: 'string' },
  mtu: { type: 'string' },
  'idle-timeout': { type: 'string' },
  keylog: { type: 'string' },
  trace: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

function invalid(message) {
  return new DtlsError('NX_INVALID_PARAMETERS', 0x4d, message);
}

/** A flag's positive number of seconds. */
function seconds(text, flag) {
  const value = Number(text);
  if (!(value > 0 && Number.isFinite(value))) throw invalid(`${flag} must be a positive number of seconds`);
  return value;
}

function psk(text) {
  const at = text.lastIndexOf(':');
  const hex = text.slice(at + 1);
  if (at < 0 || hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) {
    throw invalid(`--psk ${JSON.stringify(text)} is not IDENTITY:HEXKEY`);
  }
  return { identity: text.slice(0, at), key: Buffer.from(hex, 'hex') };
}

/** " on x25519" after a suite negotiated with an ECDHE group, as the Rust CLI says it. */
function onGroup(session) {
  return session.namedGroup ? ` on ${session.namedGroup}` : '';
}

function hostPort(text, flag) {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(text ?? '');
  if (!m) throw invalid(`${flag} ${JSON.stringify(text)} is not HOST:PORT`);
  return { host: m[1], port: Number(m[2]) };
}

function common(values, role) {
  const options = {};
  if (values.suites) options.suites = values.suites.split(',');
  if (values.groups) options.groups = values.groups.split(',');
  if (values.mtu) options.mtu = Number(values.mtu);
  if (values['idle-timeout'] !== undefined) {
    options.idleTimeoutMs = Math.round(seconds(values['idle-timeout'], '--idle-timeout') * 1000);
  }
  if (values.ca) options.ca = values.ca.map((f) => readFileSync(f));
  if (values.cert || values.key) {
    if (!values.cert || !values.key) throw invalid('--cert and --key go together');
    options.cert = readFileSync(values.cert);
    options.key = readFileSync(values.key);
  }
  if (values.keylog) options.keylog = (line) => appendFileSync(values.keylog, `${line}\n`);
  if (values.trace) {
    options.trace = (line, at) => process.stderr.write(`[${String(at).padStart(6)} ms] ${role.padEnd(6)} ${line}\n`);
  }
  return options;
}

async function server(args) {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON,
      listen: { type: 'string' },
      'verify-client': { type: 'boolean' },
      'max-sessions': { type: 'string' },
      echo: { type: 'boolean' },
    },
  });
  const { host, port } = hostPort(values.listen, '--listen');
  const options = common(values, 'server');
  options.psk = (values.psk ?? []).map(psk);
  options.maxSessions = Number(values['max-sessions'] ?? 16);
  options.verifyClient = Boolean(values['verify-client']);
  const srv = createServer(options);
  srv.on('connect', (s, peer) => console.error(`${peer.address}:${peer.port}: connect`));
  srv.on('session', (s) => {
    const peer = s.clientInfo();
    const resumed = s.isSessionReused() ? ', resumed session' : '';
    console.error(`${peer.address}:${peer.port}: established with ${s.cipherSuite}${onGroup(s)}${resumed}`);
    s.on('message', (data) => {
      console.error(`${peer.address}:${peer.port}: received ${JSON.stringify(data.toString())}`);
      if (values.echo) s.send(data);
    });
    s.on('close', (reason) => console.error(`${peer.address}:${peer.port}: disconnected${reason ? `: ${reason.message}` : ''}`));
  });
  srv.on('error', (e, s) => {
    const peer = s?.clientInfo();
    console.error(`${peer ? `${peer.address}:${peer.port}: ` : ''}error: ${e.message}`);
  });
  const addr = await srv.listen(port, host);
  // Before the line that invites them: a signal before its handler ends the process
  // without a close_notify to the clients.
  process.on('SIGINT', () => srv.close());
  process.on('SIGTERM', () => srv.close());
  console.log(`listening on ${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`);
}

async function client(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COMMON,
      psk: { type: 'string' },
      'server-name': { type: 'string' },
      send: { type: 'string' },
      timeout: { type: 'string' },
      'sess-in': { type: 'string' },
      'sess-out': { type: 'string' },
      reconnect: { type: 'boolean' },
    },
  });
  const { host, port } = hostPort(positionals[0], 'the server address');
  const options = common(values, 'client');
  if (values.psk) options.psk = [psk(values.psk)];
  options.host = host;
  options.port = port;
  options.serverName = values['server-name'] ?? host;
  options.timeout = seconds(values.timeout ?? '10', '--timeout') * 1000;
  if (values['sess-in'] !== undefined) options.session = readSession(values['sess-in']);
  let session = await connect(options);
  // The address reached: a host name's addresses are tried in turn.
  const connected = () => {
    const peer = session.clientInfo();
    const address = peer.address.includes(':') ? `[${peer.address}]` : peer.address;
    const resumed = session.isSessionReused() ? ', resumed session' : '';
    console.error(`connected to ${address}:${peer.port} with ${session.cipherSuite}${onGroup(session)}${resumed}`);
  };
  if (values.reconnect) {
    connected();
    options.session = savedOf(session);
    session.end();
    session = await connect(options);
  }
  if (values['sess-out'] !== undefined) {
    // It holds the master secret: readable by its owner only.
    writeFileSync(values['sess-out'], savedOf(session), { mode: 0o600 });
  }
  if (values.send !== undefined) {
    connected();
    session.send(values.send);
    try {
      console.log((await session.receive({ timeout: options.timeout })).toString());
    } finally {
      session.end();
    }
    return;
  }
  // Lines of stdin are sent and replies printed until end of input or Ctrl-C (then
  // with close_notify), or until the server closes or the session fails.
  session.on('message', (data) => console.log(data.toString()));
  const lines = createInterface({ input: process.stdin });
  let ending = false;
  const end = () => {
    ending = true;
    session.end();
  };
  session.on('close', (error) => {
    if (error) {
      console.error(`error: ${error.message}`);
      process.exitCode = 1;
    } else if (!ending) {
      console.error('the server closed the session');
    }
    // No process.exit(): the process ends once the socket has sent what it was given
    // (our close_notify), with stdin no longer read.
    lines.close();
    process.stdin.destroy();
  });
  lines.on('line', (line) => session.send(line));
  lines.on('close', end);
  process.on('SIGINT', end);
  process.on('SIGTERM', end);
  // Only now: whoever reads this may press Ctrl-C at once, and before the handlers
  // above, SIGINT would kill the process without a close_notify.
  connected();
}

/** The session saved in `path` by --sess-out. */
function readSession(path) {
  try {
    return readFileSync(path);
  } catch (e) {
    throw invalid(`cannot read the saved session ${path}: ${e.message}`);
  }
}

/** The session `session` can be resumed as, or why there is none. */
function savedOf(session) {
  const saved = session.getSession();
  if (saved === undefined) {
    throw new DtlsError('NX_NOT_SUCCESSFUL', 0x43,
      'the server gave the session no ID (or no extended master secret): it cannot be resumed');
  }
  return saved;
}

/** The package's version, as the Rust CLI's `--version` prints its own. */
function version() {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'server') await server(rest);
  else if (command === 'client') await client(rest);
  else if (command === '--version' || command === '-V') console.log(`wasm-dtls ${version()}`);
  else {
    console.log(USAGE);
    process.exitCode = command === undefined || command === '--help' || command === '-h' ? 0 : 2;
  }
} catch (e) {
  console.error(`error: ${e instanceof DtlsError ? e.message : e.message ?? e}`);
  process.exitCode = 1;
}
