#!/usr/bin/env node
// Serves the demo from this folder on loopback: `node serve.js [port]` (default 8080;
// 0 picks a free port). No dependencies, no network access: everything the page needs
// is in this folder once build.sh has made pkg/.
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Starts the server; resolves with it once it listens.
 * @param {number} port 0 for any free port
 * @returns {Promise<import('node:http').Server>}
 */
export function serve(port) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    const file = normalize(join(ROOT, path.endsWith('/') ? `${path}index.html` : path));
    // Only files of this folder, never node_modules or anything above it.
    if (!file.startsWith(ROOT) || file.includes(`${sep}node_modules${sep}`)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!existsSync(join(ROOT, 'pkg', 'wasm_dtls_web_bg.wasm'))) {
    console.error('www/pkg/ is not built: run `bash build.sh` here (or `bash scripts/www.sh`, which builds and serves)');
    process.exit(1);
  }
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  const server = await serve(port);
  console.log(`wasm-dtls demo on http://127.0.0.1:${server.address().port}/ (Ctrl-C stops it)`);
}
