// Strings come translated from the server (deliberation/client_strings.py) inside the page.
let strings = {};

export function setStrings(table) {
  strings = table || {};
}

// t("charactersLeft", {count: 3}) fills Python-style %(name)s placeholders.
export function t(key, params = {}) {
  const template = strings[key] ?? key;
  // Python-format strings write a literal percent sign as %%.
  return template
    .replace(/%\((\w+)\)s/g, (_, name) => (name in params ? String(params[name]) : ""))
    .replaceAll("%%", "%");
}
