// Strings come translated from the server (deliberation/client_strings.py) inside the page. A count
// string comes as every form the language has (ngettext's, deliberation/plurals.py) with the
// language's plural rule under "_pluralRule"; tn() picks the form for a number, and so does t() when
// it is given a `count`.
import { compilePluralRule } from "./plural.js";

let strings = {};
let pluralIndex = (n) => Number(n !== 1);

export function setStrings(table) {
  strings = table || {};
  if (strings._pluralRule) pluralIndex = compilePluralRule(strings._pluralRule);
}

function fill(template, params) {
  // Python-format strings write a literal percent sign as %%.
  return template
    .replace(/%\((\w+)\)s/g, (_, name) => (name in params ? String(params[name]) : ""))
    .replaceAll("%%", "%");
}

// t("proposalCount", {count: 3}) fills Python-style %(name)s placeholders.
export function t(key, params = {}) {
  const entry = strings[key] ?? key;
  if (Array.isArray(entry)) return tn(key, params.count ?? 0, params);
  return fill(entry, params);
}

// tn("charactersLeft", 1) → "1 character left"; `count` fills %(count)s unless params say otherwise.
export function tn(key, count, params = {}) {
  const entry = strings[key] ?? key;
  const forms = Array.isArray(entry) ? entry : [entry];
  const form = forms[Math.min(pluralIndex(count), forms.length - 1)] ?? key;
  return fill(form, { count, ...params });
}

// What to tell the person when a command failed: the server's translated message, or that it timed out.
export function errorText(error) {
  return error.code === "timeout" ? t("timeout") : error.message;
}
