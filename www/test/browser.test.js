// Drives the teaching demo in headless Chromium (Debian's chromium through
// playwright-core): handshakes on a perfect and a 30 % lossy link, the ladder's
// messages in order, a retransmission drawn, no label drawn over another, the
// inspector, chat both ways, closing, the phone layout, determinism. Screenshots go to www/test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { serve } from '../serve.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const RESULTS = new URL('../test-results/', import.meta.url).pathname;

let server;
let browser;
let url;

before(async () => {
  await mkdir(RESULTS, { recursive: true });
  server = await serve(0);
  url = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** A fresh page at `viewport`, with page errors collected. */
async function open(viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Handshaking'));
  return { page, errors };
}

async function configure(page, values) {
  for (const [name, value] of Object.entries(values)) {
    const field = page.locator(`#settings [name="${name}"]`);
    // Each fires the form's change event as a person's edit would (fill, then leave).
    if (typeof value === 'boolean') await field.setChecked(value);
    else if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(String(value));
    else {
      await field.fill(String(value));
      await field.blur();
    }
  }
}

async function playToCompletion(page) {
  await page.locator('#speed').fill('10');
  await page.click('#play');
  await page.waitForFunction(
    () => /Handshake (complete|failed)/.test(document.getElementById('status').textContent),
    null,
    { timeout: 60_000 },
  );
  return page.locator('#status').textContent();
}

/** The ladder's datagrams as {label, retx, lost} in the order drawn (send order). */
function ladder(page) {
  return page.$$eval('#ladder .datagram', (gs) => gs.map((g) => ({
    label: g.querySelector('.label').textContent,
    retx: g.classList.contains('retx'),
    lost: g.classList.contains('lost'),
    from: g.getAttribute('aria-label').match(/from (\w+)/)[1],
  })));
}

/**
 * Pairs of the ladder's texts drawn over each other, as "text / text": on a lossy link
 * crossing arrows, lost marks and wait labels meet, and overprinted they are unreadable.
 */
function overprinted(page) {
  return page.$$eval('#ladder svg text', (texts) => {
    const boxes = texts.map((t) => ({ text: t.firstChild.nodeValue, box: t.getBBox() }));
    const apart = (a, b) => a.x + a.width <= b.x || b.x + b.width <= a.x
      || a.y + a.height <= b.y || b.y + b.height <= a.y;
    const pairs = [];
    boxes.forEach((a, i) => {
      for (const b of boxes.slice(i + 1)) if (!apart(a.box, b.box)) pairs.push(`${a.text} / ${b.text}`);
    });
    return pairs;
  });
}

/** The ladder's texts that run past its left or right edge, where they are cut off. */
function cutOff(page) {
  return page.$$eval('#ladder svg', ([svg]) => [...svg.querySelectorAll('text')]
    .filter((t) => { const b = t.getBBox(); return b.x < 0 || b.x + b.width > svg.viewBox.baseVal.width; })
    .map((t) => t.firstChild.nodeValue));
}

/** The handshake messages in the order they first appear on the ladder. */
function messageOrder(datagrams) {
  const order = [];
  for (const d of datagrams) {
    for (const part of d.label.replace(/^↻ /, '').replace(/ \((×2|late)\)$/, '').split(' + ')) {
      const name = part.replace(/^\{/, '').split(/[ }]/)[0];
      if (order.at(-1) !== name || name === 'ClientHello') order.push(name);
    }
  }
  return order;
}

test('a perfect link: the handshake completes, every message in order, chat both ways, close', async () => {
  const { page, errors } = await open();
  const status = await playToCompletion(page);
  assert.match(status, /Handshake complete in \d+ ms of virtual time: TLS_PSK_WITH_AES_128_CCM_8/);
  const datagrams = await ladder(page);
  assert.deepEqual(messageOrder(datagrams), [
    'ClientHello', 'HelloVerifyRequest', 'ClientHello', 'ServerHello', 'ServerHelloDone',
    'ClientKeyExchange', 'ChangeCipherSpec', 'Finished', 'ChangeCipherSpec', 'Finished',
  ]);
  assert.ok(datagrams.every((d) => !d.lost && !d.retx));
  assert.deepEqual(await overprinted(page), []);
  assert.equal(await page.locator('.epoch-label').count(), 2, 'the epoch switch of each side');

  // The inspector: the first ClientHello, field by field.
  await page.locator('#ladder .datagram').first().click();
  const inspector = page.locator('#inspector-body');
  await inspector.getByText('Record 1: ClientHello (message_seq 0)').waitFor();
  // When it left and arrived: the perfect link's 50 ms delay.
  assert.equal(await inspector.locator('.timing').textContent(), 'Sent at 0 ms, arrives at 50 ms (50 ms on the link).');
  for (const field of ['record header', 'client_version', 'random', 'cookie', 'cipher_suites', 'extensions']) {
    assert.ok(await inspector.locator('.field-name', { hasText: field }).count() > 0, field);
  }
  assert.match(await inspector.locator('.explain').first().textContent(), /opens the handshake/);
  // Empty opaque values say so (the new session's session_id).
  const sessionId = inspector.locator('button.field', { has: page.locator('.field-name', { hasText: /^session_id$/ }) });
  assert.equal(await sessionId.locator('.field-value').textContent(), 'empty (0 bytes)');
  // Focusing a field highlights its bytes: the 32-byte random.
  await inspector.locator('button.field', { hasText: 'random' }).first().focus();
  assert.equal(await inspector.locator('.byte.hl').count(), 32);

  // The client's encrypted Finished, opened: its fields, and no stray null or undefined.
  await page.locator('#ladder .datagram.enc').first().click();
  await inspector.locator('.field-name', { hasText: 'verify_data' }).waitFor();
  assert.match(await inspector.innerText(), /Decrypted with the session keys/);
  assert.doesNotMatch(await inspector.innerText(), /\b(null|undefined|NaN)\b/);

  // Chat both ways; the summary shows the suite.
  await page.fill('#chat [name=text]', 'hello, server');
  await page.click('#chat button[type=submit]');
  await page.locator('#chat-log', { hasText: 'server received from client: "hello, server"' }).waitFor();
  await page.selectOption('#chat [name=from]', 'server');
  await page.fill('#chat [name=text]', 'hello, client');
  await page.click('#chat button[type=submit]');
  await page.locator('#chat-log', { hasText: 'client received from server: "hello, client"' }).waitFor();
  // The chat message's arrow, opened: encrypted on the wire, readable once decrypted.
  await page.locator('#ladder .datagram.enc').last().click();
  await inspector.getByText('Text: “hello, client”').waitFor();
  assert.ok(await inspector.locator('.field-name', { hasText: 'authentication tag' }).count() > 0);
  await page.locator('#summary', { hasText: 'TLS_PSK_WITH_AES_128_CCM_8' }).waitFor();
  assert.equal(await page.locator('#summary details').getAttribute('open'), null, 'keys hidden by default');
  // Opened, the keys stay open while the student goes on choosing arrows.
  await page.click('#summary summary');
  await page.locator('#ladder .datagram .label').first().click();
  assert.notEqual(await page.locator('#summary details').getAttribute('open'), null, 'keys still shown');
  await page.locator('#summary', { hasText: 'client_write_key' }).waitFor();

  // The server closes the session: an encrypted close_notify, answered by the client's.
  await page.click('#close');
  await page.locator('#chat-log', { hasText: 'client received close_notify: the session is closed' }).waitFor();
  assert.match(await page.locator('#chat-log').textContent(), /server closed the session: close_notify sent/);
  assert.equal(await page.locator('#status').textContent(), 'Session closed by the server (close_notify).');
  const closing = (await ladder(page)).slice(-2).map((d) => `${d.from}: ${d.label}`);
  assert.deepEqual(closing, ['server: {Alert: CLOSE_NOTIFY}', 'client: {Alert: CLOSE_NOTIFY}']);
  assert.ok(await page.locator('#chat button[type=submit]').isDisabled(), 'no sending on a closed session');
  assert.ok(await page.locator('#close').isDisabled());
  // The notes of received data fit beside their lifelines, and the summary still names
  // the suite the closed session used.
  assert.deepEqual(await cutOff(page), []);
  assert.deepEqual(await overprinted(page), []);
  await page.locator('#summary', { hasText: 'TLS_PSK_WITH_AES_128_CCM_8' }).waitFor();
  await page.screenshot({ path: `${RESULTS}perfect-link.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('ChaCha20-Poly1305: chosen from the list, its records carry no explicit nonce and still open', async () => {
  const { page, errors } = await open();
  await configure(page, { suite: 'psk-chacha20' });
  assert.match(await playToCompletion(page), /Handshake complete/);
  await page.locator('#summary', { hasText: 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256' }).waitFor();
  await page.fill('#chat [name=text]', 'hello over chacha');
  await page.click('#chat button[type=submit]');
  await page.locator('#chat-log', { hasText: 'server received from client: "hello over chacha"' }).waitFor();
  await page.locator('#ladder .datagram.enc').last().click();
  const inspector = page.locator('#inspector-body');
  await inspector.getByText('Text: “hello over chacha”').waitFor();
  assert.match(await inspector.innerText(), /RFC 7905/);
  assert.equal(await inspector.locator('.field-name', { hasText: 'explicit nonce' }).count(), 0);
  assert.equal(await inspector.locator('.field-name', { hasText: 'authentication tag' }).count(), 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the key exchange group: x25519 by default, secp256r1 when chosen, shown in the inspector', async () => {
  const { page, errors } = await open();
  await configure(page, { suite: 'ecdsa-gcm' });
  assert.match(await playToCompletion(page), /TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 on x25519\./);
  await configure(page, { group: 'secp256r1' });
  assert.match(await playToCompletion(page), /on secp256r1\./);
  await page.locator('#summary', { hasText: 'Key exchange group' }).waitFor();
  await page.locator('#ladder .datagram', { hasText: 'ServerKeyExchange' }).first().click();
  const inspector = page.locator('#inspector-body');
  await inspector.getByText('secp256r1 (23)').first().waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('Resume session: the next connection resumes with the abbreviated handshake, shown as such', async () => {
  const { page, errors } = await open();
  await configure(page, { suite: 'ecdsa-ccm8' });
  assert.equal(await page.locator('#resume').isDisabled(), true);
  assert.match(await playToCompletion(page), /Handshake complete/);
  await page.click('#resume');
  assert.match(await page.locator('#status').textContent(), /Resuming/);
  const status = await playToCompletion(page);
  assert.match(status, /the session resumed \(abbreviated handshake\)/);
  const messages = messageOrder(await ladder(page));
  assert.deepEqual(messages, ['ClientHello', 'HelloVerifyRequest', 'ClientHello', 'ServerHello',
    'ChangeCipherSpec', 'Finished', 'ChangeCipherSpec', 'Finished']);
  await page.locator('#summary', { hasText: 'abbreviated: the previous session resumed' }).waitFor();
  // And again from the resumed run: the same session goes on.
  await page.click('#resume');
  assert.match(await playToCompletion(page), /abbreviated handshake/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('30 % loss: the handshake completes, retransmissions are drawn, lost chat messages logged', async () => {
  const { page, errors } = await open();
  await page.click('[data-preset=wifi]');
  assert.equal(await page.inputValue('#settings [name=lossPercent]'), '30');
  let retransmitted = 0;
  let lossy = 0;
  for (let seed = 1; seed <= 6; seed++) {
    await configure(page, { seed });
    const status = await playToCompletion(page);
    assert.match(status, /Handshake complete/, `seed ${seed}`);
    assert.deepEqual(await overprinted(page), [], `seed ${seed}`);
    assert.deepEqual(await cutOff(page), [], `seed ${seed}`);
    // Flights keep the RFC's numbers (1 to 6) however often the link makes them resent.
    for (const flight of await page.locator('#ladder .flight-label').allTextContents()) {
      assert.match(flight, /^Flight [1-6]$/, `seed ${seed}`);
    }
    const datagrams = await ladder(page);
    if (datagrams.some((d) => d.lost)) lossy += 1;
    if (datagrams.some((d) => d.retx)) {
      retransmitted += 1;
      assert.ok(await page.locator('.note-retransmit').count() > 0);
      if (retransmitted === 1) await page.screenshot({ path: `${RESULTS}lossy-link.png`, fullPage: true });
    }
  }
  // Some short runs lose nothing (0.7^6 ≈ 12 %); most lose and resend something.
  assert.ok(lossy >= 4, `${lossy} of 6 runs drew a lost datagram`);
  assert.ok(retransmitted >= 3, `${retransmitted} of 6 runs drew a retransmission`);

  // A lost arrow, opened: the inspector says the peer never saw it.
  await page.locator('#ladder .datagram.lost .label').first().click();
  assert.match(await page.locator('#inspector-body .fate').textContent(), /^Lost on the link/);

  // Chat over the lossy link: every message is either received or logged as lost.
  for (let i = 0; i < 10; i++) {
    await page.fill('#chat [name=text]', `message ${i}`);
    await page.click('#chat button[type=submit]');
  }
  const log = await page.locator('#chat-log li').allTextContents();
  const lost = log.filter((line) => /^client sent "message \d": lost on the link/.test(line));
  const received = log.filter((line) => /^server received from client: "message \d"$/.test(line));
  const dropped = (await ladder(page)).filter((d) => d.label === '{ApplicationData}' && d.lost);
  assert.ok(lost.length > 0, `this seed loses some of ten messages: ${log}`);
  assert.equal(lost.length, dropped.length);
  assert.equal(lost.length + received.length, 10, log.join('\n'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('each Step says what it did: who sent or resent what, and what the link lost', async () => {
  const { page, errors } = await open();
  await page.click('[data-preset=wifi]');
  for (let i = 0; i < 6; i++) {
    await page.click('#step');
    const newest = (await ladder(page)).at(-1);
    const [, messages, fate] = newest.label.match(/^(?:↻ )?(.*?)( \(×2\)| \(late\))?$/);
    const fates = { ' (×2)': ', delivered twice by the link', ' (late)': ', overtaken on the link by a later datagram' };
    const said = `the ${newest.from} ${newest.retx ? 'resent' : 'sent'} ${messages}`
      + (newest.lost ? ', lost on the link' : fates[fate] ?? '');
    const status = await page.locator('#status').textContent();
    assert.ok(status.startsWith('Handshaking, '), status);
    assert.ok(status.includes(said), `"${status}" tells of "${said}"`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('the page address holds the settings: a shared address replays the same handshake', async () => {
  const { page, errors } = await open();
  await configure(page, { suite: 'ecdsa-gcm', lossPercent: 30, seed: 4 });
  const address = page.url();
  assert.match(address, /[?&]suite=ecdsa-gcm(&|$)/);
  assert.match(address, /[?&]lossPercent=30(&|$)/);
  assert.match(address, /[?&]seed=4(&|$)/);
  await playToCompletion(page);
  const here = await ladder(page);

  const other = await browser.newPage();
  other.on('pageerror', (e) => errors.push(e.message));
  await other.goto(address);
  await other.waitForFunction(() => document.getElementById('status').textContent.startsWith('Handshaking'));
  assert.equal(await other.inputValue('#settings [name=suite]'), 'ecdsa-gcm');
  assert.equal(await other.inputValue('#settings [name=seed]'), '4');
  await playToCompletion(other);
  assert.deepEqual(await ladder(other), here);
  assert.ok(here.some((d) => d.lost), 'the scenario loses datagrams');
  assert.deepEqual(errors, []);
  await other.close();
  await page.close();
});

test('axe finds no accessibility violation: a lossy run on a desktop, certificates on a phone', async () => {
  const scenarios = [
    [{ width: 1280, height: 800 }, 'lossPercent=30&duplicatePercent=20&reorderPercent=20&seed=1'],
    [{ width: 390, height: 844 }, 'suite=ecdsa-ccm8&clientCertificate=on&mtu=200&lossPercent=30&seed=2'],
  ];
  const axe = await readFile(AXE, 'utf8');
  for (const [viewport, settings] of scenarios) {
    const page = await browser.newPage({ viewport });
    await page.goto(`${url}?${settings}`);
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Handshaking'));
    await playToCompletion(page);
    await page.locator('#ladder .datagram .label').first().click();
    await page.addScriptTag({ content: axe });
    const violations = await page.evaluate(async () => {
      const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
      const result = await window.axe.run(document, { runOnly: tags });
      return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    });
    assert.deepEqual(violations, [], settings);
    await page.close();
  }
});

test('a link that loses nearly everything: the handshake fails with its status code', async () => {
  const { page, errors } = await open();
  await configure(page, { lossPercent: 90 });
  const status = await playToCompletion(page);
  assert.match(status, /^Handshake failed: client: WASM_DTLS_HANDSHAKE_TIMEOUT \(0x8001\): no answer from the peer/);
  const note = page.locator('#ladder .note-error');
  assert.equal(await note.evaluate((t) => t.firstChild.nodeValue), '⚠ failed 0x8001');
  assert.match(await note.locator('title').textContent(), /WASM_DTLS_HANDSHAKE_TIMEOUT/);
  assert.deepEqual(await cutOff(page), []);
  assert.deepEqual(await overprinted(page), []);
  await page.locator('#summary', { hasText: 'not negotiated' }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a page that cannot load its engine says why instead of "Loading…"', async () => {
  // The module not built (pkg/ missing): the server answers 404 for it.
  const page = await browser.newPage();
  await page.route('**/pkg/**', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(url);
  await page.locator('#status', { hasText: 'Cannot load the engine (is pkg/ built?' }).waitFor();
  // Opened as a file: browsers refuse to run its module script.
  await page.goto(`file://${new URL('../index.html', import.meta.url).pathname}`);
  await page.locator('#status', { hasText: 'The page cannot run from a file: serve it over HTTP' }).waitFor();
  await page.close();
});

test('certificates, a tiny MTU and a phone-width screen', async () => {
  const { page, errors } = await open({ width: 390, height: 844 });
  await page.click('[data-preset=tiny]');
  await configure(page, { clientCertificate: true });
  const status = await playToCompletion(page);
  assert.match(status, /Handshake complete .*TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8/);
  const order = messageOrder(await ladder(page));
  for (const name of ['Certificate', 'ServerKeyExchange', 'CertificateRequest', 'CertificateVerify']) {
    assert.ok(order.includes(name), `${name} in ${order}`);
  }
  // The certificate, split to the 200-byte MTU, arrives in labelled fragments.
  const fragments = (await ladder(page)).filter((d) => /Certificate \[\d+\.\.\d+ of \d+\]/.test(d.label));
  assert.ok(fragments.length >= 3, `${fragments.length} certificate fragments`);
  assert.deepEqual(await overprinted(page), []);
  // The layout fits the phone: nothing wider than the viewport but the scrolling ladder.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page overflows by ${overflow}px`);
  await page.screenshot({ path: `${RESULTS}phone-certificates.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the same seed replays the same bytes; bad settings get a NetX code', async () => {
  const { page, errors } = await open();
  const firstBytes = async () => {
    await page.locator('#ladder .datagram').first().click();
    return page.locator('#inspector-body .hex').first().textContent();
  };
  await configure(page, { suite: 'ecdsa-gcm', seed: 77 });
  const a = await firstBytes();
  await page.click('#restart');
  const b = await firstBytes();
  await configure(page, { seed: 78 });
  // A new run clears the inspector: the old run's bytes are not this run's.
  assert.equal(await page.locator('#inspector-body h3').count(), 0);
  const c = await firstBytes();
  assert.equal(a, b);
  assert.notEqual(a, c);
  // Keyboard only: focus an arrow, press Enter, and the inspector opens it; the focus
  // stays on that arrow, so Tab goes on to the next one (the server's answer, a Step on).
  await page.click('#step');
  await page.locator('#ladder .datagram').first().focus();
  await page.keyboard.press('Enter');
  await page.locator('#inspector-body h3', { hasText: 'Datagram 0: client → server' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), '0');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.locator('#inspector-body h3', { hasText: 'Datagram 1: server → client' }).waitFor();
  await configure(page, { mtu: 20 });
  assert.match(await page.locator('#status').textContent(), /Cannot start: NX_INVALID_PARAMETERS \(0x4D\): .*MTU/);
  // Each refusal names its field: a negative seed (the engine said only "expected
  // u64"), an emptied one (the engine took it for 0 and ran).
  await configure(page, { mtu: 1400, seed: -1 });
  assert.match(await page.locator('#status').textContent(), /^Cannot start: NX_INVALID_PARAMETERS \(0x4D\): Random seed: ./);
  await configure(page, { seed: '' });
  assert.match(await page.locator('#status').textContent(), /^Cannot start: NX_INVALID_PARAMETERS \(0x4D\): Random seed: ./);
  assert.equal(await page.locator('#ladder .datagram').count(), 0);
  await configure(page, { seed: 5 });
  assert.match(await page.locator('#status').textContent(), /^Handshaking/);
  assert.deepEqual(errors, []);
  await page.close();
});
