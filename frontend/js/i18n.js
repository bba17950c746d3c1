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

// What to tell the person when a command failed: the server's translated message, or that it timed out.
export function errorText(error) {
  return error.code === "timeout" ? t("timeout") : error.message;
}
