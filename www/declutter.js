// Keeps the ladder's texts from lying on top of each other. On a lossy link arrows
// cross, a lost datagram's mark falls into the next rows and a squeezed wait's label
// sits where a late datagram's label is: drawn where the timeline puts them, the
// labels overprint and a student cannot read the very part of the handshake the demo
// is for. Each text has an owner (a datagram, a note, a squeezed gap) that can be
// moved down the timeline; where two texts overlap, the lower one's owner is moved
// below the upper one, top to bottom, until nothing overlaps.

/** Space kept between two texts, in the ladder's pixels. */
const PAD = 2;

/**
 * A text's box where its anchor point is `(x, y)`: `size` is the box measured once
 * relative to the anchor (`dx`, `dy`, `width`, `height`), which moving does not change.
 */
function boxOf(text, size) {
  const left = text.x + size.dx;
  const top = text.y + size.dy;
  return { key: text.key, owner: text.owner, left, top, right: left + size.width, bottom: top + size.height };
}

function overlapping(a, b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** How many pixels two boxes overlap vertically where they overlap; 0 if apart. */
function depth(a, b) {
  return overlapping(a, b) ? Math.min(a.bottom - b.top, b.bottom - a.top) : 0;
}

/**
 * The topmost pair of overlapping boxes that moving can separate (their owners
 * differ, and the pair is not in `stuck`), as `[upper, lower]`, or null. `boxes` are
 * sorted by top.
 */
export function firstOverlap(boxes, stuck = new Set()) {
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i];
    for (let j = i + 1; j < boxes.length && boxes[j].top < a.bottom; j++) {
      const b = boxes[j];
      if (overlapping(a, b) && a.owner !== b.owner && !stuck.has(`${a.key} ${b.key}`)) return [a, b];
    }
  }
  return null;
}

/**
 * How far to move each owner down so that no two texts overlap.
 *
 * `place(nudges)` lays the ladder out with those moves and returns its texts as
 * `{key, owner, x, y}` (anchor points); `sizes` maps each key to its measured box
 * relative to the anchor. Moving an owner moves what hangs below it on the timeline
 * (a reply, an arrow that lands later), so each round lays out again and mends the
 * topmost overlap with whichever move leaves the pair overlapping least: the lower
 * text's owner below the upper text, or the upper text's owner below the lower one.
 * A pair neither move brings closer to apart is left as it is; `maxRounds` bounds the
 * work for a pathological run, which then keeps what overlap remains rather than
 * hanging the page.
 * @returns {Map<string, number>} pixels to move each owner down
 */
export function declutter(place, sizes, maxRounds = 200) {
  const boxes = (nudges) => place(nudges)
    .filter((t) => sizes.has(t.key))
    .map((t) => boxOf(t, sizes.get(t.key)))
    .sort((a, b) => a.top - b.top);
  const below = (nudges, text, other) => new Map(nudges)
    .set(text.owner, (nudges.get(text.owner) ?? 0) + other.bottom - text.top + PAD);
  const depthAfter = (nudges, pair) => {
    const moved = boxes(nudges).filter((b) => b.key === pair[0].key || b.key === pair[1].key);
    return moved.length === 2 ? depth(moved[0], moved[1]) : 0;
  };
  let nudges = new Map();
  const stuck = new Set();
  for (let round = 0; round < maxRounds; round++) {
    const pair = firstOverlap(boxes(nudges), stuck);
    if (!pair) break;
    const [upper, lower] = pair;
    // Moving the lower text down usually parts them; the other move is tried only if not.
    let best = { moved: below(nudges, lower, upper) };
    best.left = depthAfter(best.moved, pair);
    if (best.left > 0) {
      const other = { moved: below(nudges, upper, lower) };
      other.left = depthAfter(other.moved, pair);
      if (other.left < best.left) best = other;
    }
    if (best.left < depth(upper, lower)) nudges = best.moved;
    else stuck.add(`${upper.key} ${lower.key}`);
  }
  return nudges;
}
