// The projector shows what fits and says what did not: on a landscape screen nobody scrolls, so a list
// keeps the items that fit its column whole and ends with "+N more". Narrow or zoomed windows scroll
// as usual and show every item.
import { element } from "./dom.js";
import { tn } from "./i18n.js";

// The same condition as projector.css's fixed, no-scroll layout.
const WALL = window.matchMedia("(min-width: 1200px) and (min-aspect-ratio: 4/3)");

function overflows(list) {
  return list.scrollHeight > list.clientHeight + 1;
}

// Fills `list` with `items` (or `empty` when there are none) and, on the wall, takes items off the end
// until the rest fits, saying how many of `total` (all there are, when `items` is only the first few)
// were left out with `moreKey` ("+3 more proposals").
export function fitList(list, items, { empty = null, moreKey, total = items.length }) {
  list.replaceChildren(...(items.length ? items : empty ? [empty] : []));
  if (!items.length) return;
  const more = element("li", { class: "screen-more" });
  let shown = items.length;
  const say = () => {
    more.textContent = tn(moreKey, total - shown);
    if (!more.isConnected) list.append(more);
  };
  if (shown < total) say();
  if (!WALL.matches) return;
  while (shown > 0 && overflows(list)) {
    shown -= 1;
    items[shown].remove();
    say();
  }
}

// On the wall, hides `parts` in order while `box` overflows: a block that gives up its details before
// it would be cut, and leaves the screen whole if even its first lines do not fit.
export function fitBlock(box, parts) {
  box.hidden = false;
  if (!WALL.matches) return;
  for (const part of parts) {
    if (!overflows(box)) return;
    part.hidden = true;
  }
  box.hidden = overflows(box);
}
