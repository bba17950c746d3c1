// Small DOM helpers shared by the screens. Text always goes in as text nodes, never as HTML.

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

export function readConfig() {
  return JSON.parse(document.getElementById("client-config").textContent);
}

// Pinned first, then the order they came in.
export function byPinThenId(a, b) {
  return Number(b.pinned) - Number(a.pinned) || a.id - b.id;
}

export function tallyTotal(tally) {
  return tally ? tally.agree + tally.disagree + tally.pass : 0;
}
