// gettext plural rules in the browser. The server hands the catalog's rule as its C expression in n
// ("(n != 1)", "(n > 1)", "n%10==1 && n%100!=11 ? 0 : ...") with every form of each count string
// (deliberation/plurals.py). The page's content security policy forbids eval, so the expression is
// parsed here once into a small function: numbers, n, ! % * / + - < > <= >= == != && || ?: and ( ).

const TOKEN = /\s*(\d+|n|&&|\|\||[=!<>]=|[-+*/%!<>?:()])/y;

function tokenize(source) {
  const tokens = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(source);
    if (!match) {
      if (source.slice(start).trim() === "") break;
      throw new SyntaxError(`plural rule: unexpected ${source.slice(start)}`);
    }
    tokens.push(match[1]);
  }
  return tokens;
}

const BINARY = [
  ["||"],
  ["&&"],
  ["==", "!="],
  ["<", ">", "<=", ">="],
  ["+", "-"],
  ["*", "/", "%"],
];

const APPLY = {
  "||": (a, b) => Number(Boolean(a) || Boolean(b)),
  "&&": (a, b) => Number(Boolean(a) && Boolean(b)),
  "==": (a, b) => Number(a === b),
  "!=": (a, b) => Number(a !== b),
  "<": (a, b) => Number(a < b),
  ">": (a, b) => Number(a > b),
  "<=": (a, b) => Number(a <= b),
  ">=": (a, b) => Number(a >= b),
  "+": (a, b) => a + b,
  "-": (a, b) => a - b,
  "*": (a, b) => a * b,
  "/": (a, b) => Math.trunc(a / b),
  "%": (a, b) => a % b,
};

// Recursive descent with C's precedence; each level returns a function of n.
export function compilePluralRule(source) {
  const tokens = tokenize(source);
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected) => {
    const token = tokens[at++];
    if (expected !== undefined && token !== expected) throw new SyntaxError(`plural rule: expected ${expected}`);
    return token;
  };
  function primary() {
    const token = take();
    if (token === "n") return (n) => n;
    if (token === "(") {
      const inner = ternary();
      take(")");
      return inner;
    }
    if (token === "!") {
      const operand = primary();
      return (n) => Number(!operand(n));
    }
    if (/^\d+$/.test(token ?? "")) {
      const value = Number(token);
      return () => value;
    }
    throw new SyntaxError(`plural rule: unexpected ${token}`);
  }
  function binary(level) {
    if (level === BINARY.length) return primary();
    let left = binary(level + 1);
    while (BINARY[level].includes(peek())) {
      const apply = APPLY[take()];
      const right = binary(level + 1);
      const l = left;
      left = (n) => apply(l(n), right(n));
    }
    return left;
  }
  function ternary() {
    const condition = binary(0);
    if (peek() !== "?") return condition;
    take("?");
    const yes = ternary();
    take(":");
    const no = ternary();
    return (n) => (condition(n) ? yes(n) : no(n));
  }
  const rule = ternary();
  if (at !== tokens.length) throw new SyntaxError("plural rule: trailing tokens");
  return (n) => Number(rule(Math.abs(Math.trunc(n))));
}
