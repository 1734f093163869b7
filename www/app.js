// The teaching demo's controller: settings and presets, play / pause / step / restart,
// the ladder, the inspector, the chat and the summary. The engines and the simulated
// link live in the WebAssembly module (web/ in the repository, built by build.sh).

import { datagramLabel, drawLadder } from './ladder.js';
import { showInspection } from './inspector.js';
import { showSummary } from './summary.js';

const PRESETS = {
  perfect: { lossPercent: 0, delayMs: 50, jitterMs: 0, reorderPercent: 0, duplicatePercent: 0, mtu: 1400 },
  wifi: { lossPercent: 30, delayMs: 30, jitterMs: 40, reorderPercent: 10, duplicatePercent: 5, mtu: 1400 },
  tiny: { suite: 'ecdsa-ccm8', lossPercent: 0, delayMs: 50, jitterMs: 0, reorderPercent: 0, duplicatePercent: 0, mtu: 200 },
};
// Steps of one "Step" press or one chat delivery at most: each step is an arrival or
// a timer, so this only guards against a run that never settles.
const MAX_STEPS = 500;

const $ = (id) => document.getElementById(id);
const form = $('settings');
// The inspector's invitation, shown again when a new run starts.
const inspectorHint = $('inspector-body').innerHTML;
const status = $('status');
const chat = $('chat');

/** The engine's class (web/ in the repository), once its module has loaded. */
let WebDemo = null;
let demo = null;
let run = null;
let timer = null;

function settings() {
  const data = new FormData(form);
  const number = (name) => Number(data.get(name));
  return {
    suite: data.get('suite'),
    group: data.get('group'),
    clientCertificate: data.get('clientCertificate') === 'on',
    mtu: number('mtu'),
    lossPercent: number('lossPercent'),
    delayMs: number('delayMs'),
    jitterMs: number('jitterMs'),
    reorderPercent: number('reorderPercent'),
    duplicatePercent: number('duplicatePercent'),
    seed: number('seed'),
  };
}

/**
 * The first setting outside the limits the form gives it (filled in, a whole number,
 * within min and max), as a sentence naming the field; null if every one is valid.
 * The engine would take an emptied field for 0, and refuse a negative or fractional
 * one without saying which field it was.
 */
function invalidSetting() {
  for (const field of form.elements) {
    if (!field.checkValidity()) return `${field.labels[0].firstChild.textContent.trim()}: ${field.validationMessage}`;
  }
  return null;
}

function setStatus(text, kind = '') {
  status.textContent = text;
  status.className = kind;
}

/**
 * Fills the form from the page address (`?suite=ecdsa-gcm&lossPercent=30&seed=4`): the
 * same settings replay the same handshake, so an address is a scenario a teacher can
 * hand out. Unknown names are ignored; bad values are refused as typed ones are.
 */
function settingsFromAddress() {
  for (const [name, value] of new URLSearchParams(location.search)) {
    const field = form.elements.namedItem(name);
    if (!field) continue;
    if (field.type === 'checkbox') field.checked = ['on', 'true', '1'].includes(value);
    else field.value = value;
  }
}

/** Writes the form's settings into the page address, without a history entry each. */
function settingsToAddress() {
  const params = new URLSearchParams();
  for (const field of form.elements) {
    if (field.type === 'checkbox') params.set(field.name, field.checked ? 'on' : 'off');
    else params.set(field.name, field.value);
  }
  history.replaceState(null, '', `?${params}`);
}

/** Forgets the last run: its ladder, chat, summary and inspected datagram. */
function clearRun() {
  pause();
  run = { datagrams: [], notes: [], now: 0, selected: null, connected: false, closed: false, failed: null, finished: false };
  $('chat-log').replaceChildren();
  $('summary').replaceChildren();
  // The last run's datagram is not this run's: its bytes would mislead.
  $('inspector-body').innerHTML = inspectorHint;
  enableChat(false);
  $('resume').disabled = true;
}

/** Starts a new run from the form's settings; the ClientHello is sent at once. */
function restart() {
  settingsToAddress();
  demo?.free();
  demo = null;
  clearRun();
  const problem = invalidSetting();
  try {
    if (problem) throw new Error(`NX_INVALID_PARAMETERS (0x4D): ${problem}`);
    demo = new WebDemo(settings());
    absorb(demo.start());
    setStatus('Handshaking: the client sent its ClientHello. Press Play or Step.');
  } catch (e) {
    setStatus(`Cannot start: ${e.message}`, 'bad');
  }
  render();
}

/**
 * A new connection that offers the last run's session: the server still holds it, so
 * the handshake is abbreviated (no certificates, no key exchange, new keys).
 */
function resume() {
  if (!demo) return;
  let next;
  try {
    next = demo.resume();
  } catch (e) {
    setStatus(`Cannot resume: ${e.message}`, 'bad');
    return;
  }
  demo.free();
  demo = next;
  clearRun();
  absorb(demo.start());
  setStatus('Resuming: the ClientHello offers the last session\'s ID. Press Play or Step.');
  render();
}

/** Adds a step report to the run; returns whether it showed anything. */
function absorb(report) {
  run.datagrams.push(...report.datagrams);
  run.notes.push(...report.notes);
  run.now = report.now;
  run.finished = report.finished;
  for (const note of report.notes) {
    if (note.kind === 'error' && !run.failed) run.failed = `${note.side}: ${note.text}`;
    if (note.kind === 'data') logChat(note);
    if (note.kind === 'closed') logLine(`${note.side} received close_notify: the session is closed`);
  }
  if (report.connected && !run.connected) {
    run.connected = true;
    const summary = demo.summary();
    const group = summary.group ? ` on ${summary.group}` : '';
    const how = summary.resumed ? ', the session resumed (abbreviated handshake)' : '';
    setStatus(`Handshake complete in ${summary.handshakeMs} ms of virtual time: ${summary.suite}${group}${how}.`, 'good');
    enableChat(true);
    $('resume').disabled = !summary.resumable;
  }
  if (run.failed) setStatus(`Handshake failed: ${run.failed}`, 'bad');
  return report.datagrams.length > 0 || report.notes.length > 0;
}

function inFlight() {
  return run.datagrams.some((d) => d.arrivesAt !== null && d.arrivesAt > run.now);
}

/** Whether the run has reached a resting point: nothing left, or connected and quiet. */
function settled() {
  return !demo || run.finished || run.failed || (run.connected && !inFlight());
}

/** What the link did to a datagram, as the narration says it (delivered: nothing). */
const FATES = {
  dropped: ', lost on the link',
  duplicated: ', delivered twice by the link',
  reordered: ', overtaken on the link by a later datagram',
};

/**
 * What one step did, in words: who sent or resent what (and what the link lost), or
 * else what a side dropped or did with its timer. Without it the status kept saying
 * "the client sent its ClientHello" however far a student stepped.
 */
function narrate(report) {
  const sentences = report.datagrams.map((d) => {
    const verb = d.retransmission ? 'resent' : 'sent';
    const fate = FATES[d.fate] ?? '';
    return `the ${d.from} ${verb} ${datagramLabel(d)}${fate}`;
  });
  for (const note of report.notes) {
    if (note.kind === 'dropped') sentences.push(`the ${note.side} ${note.text.replace(/^dropped: /, 'dropped ')}`);
  }
  if (sentences.length === 0) {
    const timer = report.notes.find((n) => n.kind === 'timer');
    if (timer) sentences.push(`the ${timer.side}'s ${timer.text}`);
  }
  // A flight's records dropped alike are said once, counted.
  const counts = new Map();
  for (const sentence of sentences) counts.set(sentence, (counts.get(sentence) ?? 0) + 1);
  return [...counts].map(([sentence, n]) => (n > 1 ? `${sentence} (×${n})` : sentence)).join('; ');
}

/** Steps until something visible happens. */
function stepOnce() {
  if (!demo) return;
  for (let i = 0; i < MAX_STEPS && !run.finished; i++) {
    const report = demo.step();
    if (absorb(report)) {
      const story = narrate(report);
      if (story && !run.connected && !run.failed) setStatus(`Handshaking, ${report.now} ms: ${story}.`);
      break;
    }
  }
  render();
}

function play() {
  if (!demo || settled()) return;
  $('play').disabled = true;
  $('pause').disabled = false;
  const tick = () => {
    const before = run.now;
    stepOnce();
    if (settled()) return pause();
    // Real time follows virtual time, squeezed: long timer waits stay short.
    const speed = Number($('speed').value);
    const wait = Math.min(900, Math.max(60, (run.now - before) * 2)) / speed;
    timer = setTimeout(tick, wait);
  };
  tick();
}

function pause() {
  clearTimeout(timer);
  timer = null;
  $('play').disabled = false;
  $('pause').disabled = true;
}

function select(id) {
  run.selected = id;
  showInspection($('inspector-body'), demo.inspect(id), run.datagrams.find((d) => d.id === id));
  render();
  $('inspector').scrollIntoView({ block: 'nearest' });
}

function render() {
  if (!run) return;
  drawLadder($('ladder'), run, select);
  if (run.connected || run.failed) showSummary($('summary'), demo.summary());
}

function logChat(note) {
  const from = note.side === 'client' ? 'server' : 'client';
  const text = note.text.replace(/^received /, '');
  logLine(`${note.side} received from ${from}: ${text}`);
}

/** Send and Close work once the handshake is complete, until a side closes. */
function enableChat(on) {
  for (const button of chat.querySelectorAll('button')) button.disabled = !on;
}

/** Delivers (or loses) what was just sent: steps until nothing is on the way. */
function deliver() {
  for (let i = 0; i < MAX_STEPS && inFlight(); i++) absorb(demo.step());
}

function logLine(text, kind = '') {
  $('chat-log').append(Object.assign(document.createElement('li'), { textContent: text, className: kind }));
}

chat.addEventListener('submit', (e) => {
  e.preventDefault();
  if (!demo || !run.connected || run.closed) return;
  const data = new FormData(chat);
  try {
    const sent = demo.send(data.get('from'), data.get('text'));
    absorb(sent);
    // Nothing else would show it: the message is simply missing from the log.
    if (sent.datagrams.some((d) => d.fate === 'dropped')) {
      logLine(`${data.get('from')} sent ${JSON.stringify(data.get('text'))}: lost on the link, and DTLS does not resend it`, 'lost');
    }
    deliver();
  } catch (err) {
    setStatus(`Cannot send: ${err.message}`, 'bad');
  }
  render();
});

$('close').addEventListener('click', () => {
  if (!demo || !run.connected || run.closed) return;
  const from = new FormData(chat).get('from');
  const closed = demo.close(from);
  run.closed = true;
  absorb(closed);
  enableChat(false);
  const lost = closed.datagrams.some((d) => d.fate === 'dropped');
  // close_notify is not resent either: the peer then learns of the end only by silence.
  logLine(`${from} closed the session: close_notify sent${lost ? ', lost on the link' : ''}`, lost ? 'lost' : '');
  deliver();
  setStatus(`Session closed by the ${from} (close_notify).`, 'good');
  render();
});

for (const button of document.querySelectorAll('[data-preset]')) {
  button.addEventListener('click', () => {
    for (const [name, value] of Object.entries(PRESETS[button.dataset.preset])) {
      form.elements[name].value = value;
    }
    restart();
  });
}
form.addEventListener('change', restart);
form.addEventListener('submit', (e) => e.preventDefault());
$('play').addEventListener('click', play);
$('pause').addEventListener('click', pause);
$('step').addEventListener('click', () => {
  pause();
  stepOnce();
});
$('restart').addEventListener('click', restart);
$('resume').addEventListener('click', resume);

// Loaded here rather than imported above, so that a missing or unbuilt module is said
// on the page instead of leaving it at "Loading the engine…".
try {
  const engine = await import('./pkg/wasm_dtls_web.js');
  await engine.default();
  WebDemo = engine.WebDemo;
} catch (e) {
  setStatus(`Cannot load the engine (is pkg/ built? bash scripts/www.sh builds and serves it): ${e.message}`, 'bad');
}
if (WebDemo) {
  settingsFromAddress();
  restart();
}
