// wasm-dtls for Node.js: DTLS 1.2 through the wasm-dtls WebAssembly component, with
// node:dgram sockets. See index.d.ts for the API.
export { DtlsError } from './errors.js';
export { connect, DtlsSession, MAX_WAITING_MESSAGES } from './session.js';
export { createServer, DtlsServer, ServerSession } from './server.js';
