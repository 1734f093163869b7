// Test helpers: fixtures, child processes with collected output, bounded waits.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import dgram from 'node:dgram';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '..', '..');
export const fixturePath = (name) => join(root, 'tests', 'fixtures', name);
export const fixture = (name) => readFileSync(fixturePath(name));
/** The Rust CLI, built by `cargo test` (scripts/test.sh runs it first). */
export const rustCli = process.env.WASM_DTLS_CLI ?? join(root, 'target', 'debug', 'wasm-dtls');
export const nodeCli = join(here, '..', 'bin', 'wasm-dtls.js');

export const PSK = [{ identity: 'client-1', key: Buffer.from('0123456789abcdef') }];
export const PSK_ARG = `client-1:${Buffer.from('0123456789abcdef').toString('hex')}`;
export const SUITES = [
  'psk-ccm8', 'psk-gcm', 'psk-chacha20', 'psk-aes256-gcm', 'ecdhe-psk-chacha20',
  'ecdsa-ccm8', 'ecdsa-gcm', 'ecdsa-chacha20', 'ecdsa-aes256-gcm',
];

/** A child process whose stdout+stderr are collected; killed by `kill()`. */
export function run(command, args) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const proc = { child, output: '', stdout: '', code: undefined };
  child.stdout.on('data', (d) => { proc.output += d; proc.stdout += d; });
  child.stderr.on('data', (d) => { proc.output += d; });
  proc.exited = new Promise((resolve) => child.on('close', (code) => { proc.code = code; resolve(code); }));
  proc.kill = () => child.kill();
  proc.waitFor = async (needle, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!proc.output.includes(needle)) {
      if (Date.now() > end) throw new Error(`no ${JSON.stringify(needle)} in:\n${proc.output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  proc.exit = async (ms = 30_000) => {
    let timer;
    const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`still running:\n${proc.output}`)), ms); });
    try { return await Promise.race([proc.exited, timeout]); } finally { clearTimeout(timer); }
  };
  return proc;
}

/** A UDP port nobody listens on (bound, then released). */
export async function freePort() {
  const s = dgram.createSocket('udp4');
  await new Promise((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Starts a CLI server (`command` with `prefix` before the subcommand: the node bin
 * runs as `node bin/wasm-dtls.js server …`) and resolves with it and its port.
 */
export async function cliServer(command, args, prefix = []) {
  const proc = run(command, [...prefix, 'server', '--listen', '127.0.0.1:0', ...args]);
  await proc.waitFor('listening on ');
  const port = Number(/listening on [^\s]*:(\d+)/.exec(proc.output)[1]);
  return { proc, port };
}

/** `promise`, or a rejection naming `what` after `ms`: a failed check must not hang the run. */
export async function within(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A UDP relay on loopback in front of `serverPort` that drops the datagrams numbered
 * in `drops` ([towards the server, towards the client], counted from 0 in each
 * direction). The client is whoever writes first. `dropped()` counts what it dropped.
 */
export async function lossyRelay(serverPort, drops) {
  const socket = dgram.createSocket('udp4');
  await new Promise((r) => socket.bind(0, '127.0.0.1', r));
  const counts = [0, 0];
  let client;
  let dropped = 0;
  socket.on('message', (msg, from) => {
    const toServer = from.port !== serverPort;
    if (toServer) client = from;
    const direction = toServer ? 0 : 1;
    const index = counts[direction]++;
    if (drops[direction].includes(index)) {
      dropped += 1;
    } else if (toServer) {
      socket.send(msg, serverPort, '127.0.0.1');
    } else if (client) {
      socket.send(msg, client.port, client.address);
    }
  });
  return { port: socket.address().port, dropped: () => dropped, close: () => socket.close() };
}
