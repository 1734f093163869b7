// Turning the user's options into the component's settings and credential calls.
import { Buffer } from 'node:buffer';

import { call, hostError } from './errors.js';

/** Short, IANA and WIT names of the twelve suites, to the WIT enum value. */
const SUITES = new Map();
for (const [wit, short, iana] of [
  ['psk-aes128-ccm8', 'psk-ccm8', 'TLS_PSK_WITH_AES_128_CCM_8'],
  ['psk-aes128-gcm-sha256', 'psk-gcm', 'TLS_PSK_WITH_AES_128_GCM_SHA256'],
  ['ecdhe-ecdsa-aes128-ccm8', 'ecdsa-ccm8', 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'],
  ['ecdhe-ecdsa-aes128-gcm-sha256', 'ecdsa-gcm', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
  ['psk-chacha20-poly1305-sha256', 'psk-chacha20', 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256'],
  ['ecdhe-ecdsa-chacha20-poly1305-sha256', 'ecdsa-chacha20',
    'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
  ['psk-aes256-gcm-sha384', 'psk-aes256-gcm', 'TLS_PSK_WITH_AES_256_GCM_SHA384'],
  ['ecdhe-ecdsa-aes256-gcm-sha384', 'ecdsa-aes256-gcm',
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
  ['ecdhe-psk-chacha20-poly1305-sha256', 'ecdhe-psk-chacha20',
    'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256'],
  // Client side only: servers with RSA certificates.
  ['ecdhe-rsa-aes128-gcm-sha256', 'rsa-gcm', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
  ['ecdhe-rsa-chacha20-poly1305-sha256', 'rsa-chacha20',
    'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  ['ecdhe-rsa-aes256-gcm-sha384', 'rsa-aes256-gcm', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
]) {
  for (const name of [wit, short, iana.toLowerCase()]) SUITES.set(name, { wit, short, iana });
}

/** The short names, for messages: "psk-ccm8, …, ecdsa-chacha20". */
const SHORT_NAMES = [...new Set([...SUITES.values()].map((s) => s.short))].join(', ');

/** The suite description for a name, or a NX_INVALID_PARAMETERS error. */
export function suite(name) {
  const found = SUITES.get(String(name).trim().toLowerCase());
  if (!found) {
    throw hostError('nx-invalid-parameters',
      `unknown suite ${JSON.stringify(name)}: use ${SHORT_NAMES} or an IANA name`);
  }
  return found;
}

/** Names of the ECDHE groups, to the WIT enum value (secp256r1 has three aliases). */
const GROUPS = new Map([
  ['x25519', 'x25519'],
  ['secp256r1', 'secp256r1'],
  ['p-256', 'secp256r1'],
  ['p256', 'secp256r1'],
  ['prime256v1', 'secp256r1'],
]);

/** The WIT group for a name, or a NX_INVALID_PARAMETERS error. */
export function group(name) {
  const found = GROUPS.get(String(name).trim().toLowerCase());
  if (!found) {
    throw hostError('nx-invalid-parameters',
      `unknown group ${JSON.stringify(name)}: use x25519 or secp256r1 (P-256)`);
  }
  return found;
}

/** The IANA name of a WIT suite value. */
export function ianaName(wit) {
  return SUITES.get(wit).iana;
}

function bytes(value, what) {
  if (value === undefined || value === null) return new Uint8Array();
  if (typeof value === 'string') return new Uint8Array(Buffer.from(value));
  if (value instanceof Uint8Array) return value;
  throw hostError('nx-invalid-parameters', `${what} must be a string, Buffer or Uint8Array`);
}

function list(value) {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** `value` when it is a whole number in [0, max]; undefined when absent; else 0x4D. */
export function optionalInt(value, what, unit, max = 0xffffffff) {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw hostError('nx-invalid-parameters', `${what} must be a whole number of ${unit} (0 to ${max})`);
  }
  return value;
}

/**
 * A PSK table with room for `psks` (the engine's holds 8 unless told otherwise); the
 * package adds keys only from the options, so the keys given are all it will hold.
 */
function roomFor(psks) {
  return psks.length > 0 ? psks.length : undefined;
}

/** The component's settings record. */
export function settings(options) {
  return {
    suites: list(options.suites).map((s) => suite(s).wit),
    groups: list(options.groups).map(group),
    mtu: optionalInt(options.mtu, 'mtu', 'bytes'),
    retransmitInitialMs: optionalInt(options.retransmitInitialMs, 'retransmitInitialMs', 'milliseconds'),
    retransmitMaxMs: optionalInt(options.retransmitMaxMs, 'retransmitMaxMs', 'milliseconds'),
    maxTransmissions: optionalInt(options.maxTransmissions, 'maxTransmissions', 'transmissions'),
    idleTimeoutMs: optionalInt(options.idleTimeoutMs, 'idleTimeoutMs', 'milliseconds'),
    pskCapacity: roomFor(list(options.psk)),
    requireExtendedMasterSecret: Boolean(options.requireExtendedMasterSecret),
    serverName: optionalString(options.serverName, 'serverName'),
    keyLog: optionalFunction(options.keylog, 'keylog') !== undefined,
    trace: optionalFunction(options.trace, 'trace') !== undefined,
  };
}

/** `value` when it is a non-empty string; undefined when absent; else 0x4D. */
export function optionalString(value, what) {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.length > 0) return value;
  throw hostError('nx-invalid-parameters', `${what} must be a non-empty string`);
}

/** `value` when it is a function; undefined when absent; else 0x4D. */
export function optionalFunction(value, what) {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'function') return value;
  throw hostError('nx-invalid-parameters', `${what} must be a function`);
}

/**
 * Adds the credentials of `options` to a session or server resource through the NetX
 * methods: psk [{ identity, key, hint }], cert + key, ca (one or a list).
 */
export function applyCredentials(resource, options) {
  for (const psk of list(options.psk)) {
    call(() => resource.pskAdd(bytes(psk.key, 'psk.key'), bytes(psk.identity, 'psk.identity'),
      bytes(psk.hint, 'psk.hint')));
  }
  if (options.cert !== undefined || options.key !== undefined) {
    // One without the other would reach the engine as empty bytes, and be reported as
    // a malformed certificate or key.
    if (options.cert === undefined || options.key === undefined) {
      const [given, missing] = options.cert === undefined ? ['key', 'cert'] : ['cert', 'key'];
      throw hostError('nx-invalid-parameters',
        `options.${given} needs options.${missing}: a certificate chain and its private key go together`);
    }
    call(() => resource.localCertificateAdd(1, bytes(options.cert, 'cert'), bytes(options.key, 'key')));
  }
  list(options.ca).flatMap(eachCertificate).forEach((ca, i) => {
    call(() => resource.trustedCertificateAdd(i + 1, ca));
  });
  const now = optionalInt(options.unixTime, 'unixTime', 'seconds since 1970', Number.MAX_SAFE_INTEGER)
    ?? Math.floor(Date.now() / 1000);
  resource.setUnixTime(BigInt(now));
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The certificates of one `ca` entry: each block of a PEM bundle, as Node's own `tls`
 * trusts every certificate of a `ca` string (the component takes one per id); anything
 * else as it is, for the component to accept or to say what is wrong with it.
 */
function eachCertificate(ca) {
  const raw = bytes(ca, 'ca');
  const text = Buffer.from(raw).toString('latin1');
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  // A block cut short goes with the rest to the component, which refuses it and says why.
  const begins = text.split('-----BEGIN CERTIFICATE-----').length - 1;
  if (blocks.length < 2 || blocks.length !== begins) return [raw];
  return blocks.map((block) => Buffer.from(block, 'latin1'));
}

