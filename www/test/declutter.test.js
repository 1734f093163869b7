// The ladder's declutter pass on small made-up layouts: what it moves, by how much,
// and that it stops on layouts it cannot mend. The browser test checks the real ladder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declutter } from '../declutter.js';

// Every text here is 100 px wide and 12 px high, its anchor on the baseline.
const SIZE = { dx: 0, dy: -10, width: 100, height: 12 };
const sizes = (...keys) => new Map(keys.map((k) => [k, SIZE]));
const moved = (nudges, owner) => nudges.get(owner) ?? 0;

test('the lower of two overlapping texts moves below the upper, 2 px apart', () => {
  const place = (n) => [
    { key: 'a', owner: 'd1', x: 0, y: 20 + moved(n, 'd1') },
    { key: 'b', owner: 'd2', x: 50, y: 25 + moved(n, 'd2') },
  ];
  const nudges = declutter(place, sizes('a', 'b'));
  // a spans 10..22; b's top (15) goes to 24.
  assert.deepEqual([...nudges], [['d2', 9]]);
});

test('texts side by side, or of one owner, stay where they are', () => {
  const place = () => [
    { key: 'a', owner: 'd1', x: 0, y: 20 },
    { key: 'b', owner: 'd2', x: 100, y: 20 },
    { key: 'label', owner: 'd3', x: 300, y: 40 },
    { key: 'mark', owner: 'd3', x: 320, y: 44 },
  ];
  assert.deepEqual([...declutter(place, sizes('a', 'b', 'label', 'mark'))], []);
});

test('when the upper text hangs below the lower one\'s owner, the upper one moves', () => {
  // A reply's label (owner d2) sits above a lost mark of d1, but the reply is sent after
  // d1: moving d1 down moves the reply too, so only moving d2 parts them.
  const place = (n) => [
    { key: 'lost', owner: 'd1', x: 0, y: 30 + moved(n, 'd1') },
    { key: 'reply', owner: 'd2', x: 0, y: 26 + moved(n, 'd1') + moved(n, 'd2') },
  ];
  const nudges = declutter(place, sizes('lost', 'reply'));
  assert.equal(moved(nudges, 'd1'), 0);
  // lost spans 20..32; the reply's top (16) goes to 34.
  assert.equal(moved(nudges, 'd2'), 18);
});

test('a move that parts a pair half way is repeated until it is apart', () => {
  // A gap's label moves only half as far as its owner: the pair converges.
  const place = (n) => [
    { key: 'a', owner: 'd1', x: 0, y: 20 },
    { key: 'gap', owner: 'g1', x: 0, y: 21 + moved(n, 'g1') / 2 },
  ];
  const nudges = declutter(place, sizes('a', 'gap'));
  const gapTop = 21 + moved(nudges, 'g1') / 2 - 10;
  assert.ok(gapTop >= 22, `the gap's label starts at ${gapTop}, below the other's bottom (22)`);
});

test('a pair no move can part is left as it is, and the pass ends', () => {
  // Both texts move with either owner: nothing helps.
  const place = (n) => {
    const shift = moved(n, 'd1') + moved(n, 'd2');
    return [
      { key: 'a', owner: 'd1', x: 0, y: 20 + shift },
      { key: 'b', owner: 'd2', x: 0, y: 22 + shift },
    ];
  };
  assert.deepEqual([...declutter(place, sizes('a', 'b'))], []);
});

test('texts never measured (a hidden ladder) are not moved', () => {
  const place = () => [
    { key: 'a', owner: 'd1', x: 0, y: 20 },
    { key: 'b', owner: 'd2', x: 0, y: 22 },
  ];
  assert.deepEqual([...declutter(place, new Map())], []);
});
