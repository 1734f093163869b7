// `npm pack` gives a package that installs and works in an empty directory.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const pkg = resolve(fileURLToPath(import.meta.url), '..', '..');

test('the packed tarball installs and runs a handshake in a fresh directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-dtls-pack-'));
  try {
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: pkg }).toString().trim();
    execFileSync('npm', ['init', '-y'], { cwd: dir, stdio: 'ignore' });
    execFileSync('npm', ['install', '--no-audit', '--no-fund', join(dir, tarball)], { cwd: dir, stdio: 'ignore' });
    writeFileSync(join(dir, 'check.mjs'), `
      import { connect, createServer, DtlsError } from 'wasm-dtls';
      const psk = [{ identity: 'a', key: Buffer.from('0123456789abcdef') }];
      const server = createServer({ psk });
      server.on('session', (s) => s.on('message', (m) => s.send(m)));
      const { port } = await server.listen(0, '127.0.0.1');
      const session = await connect({ port, psk });
      session.send('packed');
      console.log(String(await session.receive()), typeof DtlsError);
      session.end();
      server.close();
    `);
    const out = execFileSync(process.execPath, ['check.mjs'], { cwd: dir, timeout: 20_000 }).toString();
    assert.equal(out.trim(), 'packed function');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
