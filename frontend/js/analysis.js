// Themes, the opinion map and the balance meter: shared by the participant, projector and moderator
// screens. Every chart has a text alternative next to it; nothing here is announced by itself.
import { element } from "./dom.js";
import { t } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const GROUP_LETTERS = "ABCDE";
// deliberation/analysis/breakdowns.py OTHER: actor types too small to show alone, counted together.
const OTHER_ACTOR_TYPES = "_other";

export function groupName(id) {
  return t("group", { letter: GROUP_LETTERS[id] ?? String(id + 1) });
}

// A theme's name: the moderators' name, else its automatic label in the reader's language, else the
// label of another language, marked as such. `machine`: the language a translation server translated the
// label from (null when people wrote it: a moderator's name is never a machine's).
export function themeLabel(theme, language) {
  if (theme.name) return { text: theme.name, language: null, machine: null };
  const machine = (code) => theme.machine?.[code] ?? null;
  if (theme.labels[language]) return { text: theme.labels[language], language, machine: machine(language) };
  const [other] = Object.keys(theme.labels).sort();
  return other
    ? { text: theme.labels[other], language: other, fallback: true, machine: machine(other) }
    : { text: t("themeUnnamed"), language: null, machine: null };
}

// "(machine translation)" after a name a translation server made: short, so a phone's line stays a
// line; in words, so a screen reader says it with the name.
export function themeMachineMark(label) {
  return label.machine ? element("span", { class: "theme-mark", dataset: { role: "theme-mark" } }, ` (${t("themeMachine")})`) : null;
}

export function themeSupport(theme, proposals) {
  let agree = 0;
  let votes = 0;
  let known = false;
  for (const id of theme.proposals) {
    const tally = proposals.get(id)?.tally;
    if (!tally) continue;
    known = true;
    agree += tally.agree;
    votes += tally.agree + tally.disagree + tally.pass;
  }
  return known ? { agree, votes } : null;
}

// A group of one proposal is not a theme (the server marks it `unsorted`): every screen shows those
// together, after the themes, as "Unsorted proposals". Themes come largest first.
export function themesSplit(themes) {
  const ordered = [...(themes ?? [])].sort((a, b) => b.proposals.length - a.proposals.length || a.number - b.number);
  return {
    sorted: ordered.filter((theme) => !theme.unsorted),
    unsorted: ordered.filter((theme) => theme.unsorted).flatMap((theme) => theme.proposals),
  };
}

// The themes of one question, largest first: label, size, support, and (optionally) extra controls;
// then the unsorted proposals as one item (`unsortedControls(ids)` adds to it).
// `idPrefix` keeps element ids unique when a page lists the themes of several questions.
export function renderThemes(list, { themes, proposals, language, controls = null, unsortedControls = null, limit = null, idPrefix = "" }) {
  const { sorted, unsorted } = themesSplit(themes);
  const shown = limit ? sorted.slice(0, limit) : sorted;
  list.replaceChildren(
    ...shown.map((theme) => {
      const label = themeLabel(theme, language);
      const support = themeSupport(theme, proposals);
      const share = support && support.votes ? Math.round((100 * support.agree) / support.votes) : null;
      return element(
        "li",
        { class: "theme", id: `${idPrefix}theme-${theme.number}`, dataset: { theme: theme.number } },
        element(
          "p",
          { class: "theme-title" },
          element("span", { class: "theme-number" }, t("themeNumber", { number: theme.number })),
          " ",
          element("strong", { lang: label.language || null }, label.text),
          label.fallback ? element("span", { class: "hint" }, ` (${t(`lang.${label.language}`)})`) : null,
          themeMachineMark(label),
          theme.locked ? element("span", { class: "badge" }, t("themeLocked")) : null,
        ),
        element(
          "p",
          { class: "theme-figures" },
          t("themeSize", { count: theme.proposals.length }),
          share === null ? "" : ` · ${t("themeSupport", { share, agree: support.agree, votes: support.votes, count: support.votes })}`,
        ),
        share === null
          ? null
          : element("meter", { min: "0", max: "100", value: String(share), "aria-hidden": "true", class: "theme-meter" }),
        controls ? controls(theme) : null,
      );
    }),
  );
  if (unsorted.length) {
    list.append(
      element(
        "li",
        { class: "theme theme-unsorted", id: `${idPrefix}theme-unsorted`, dataset: { theme: "unsorted" } },
        element("p", { class: "theme-title" }, element("strong", {}, t("themeUnsorted"))),
        element("p", { class: "theme-figures" }, t("themeSize", { count: unsorted.length }), " · ", t("themeUnsortedHint")),
        unsortedControls ? unsortedControls(unsorted) : null,
      ),
    );
  }
}

// The opinion map: each person a dot in their group's colour and shape, proposals as small squares,
// the reader's own place ringed. `describe` is filled with the same content as text.
// `myKey` is the reader's own point's key (their snapshot's me.opinion_keys[question]), for "you are here".
// `brief` (the projector): the groups and at most three agreed and three dividing proposals, so the
// screen fits a wall without scrolling; the full text alternative is on the participants' screens.
export function renderOpinionMap(figure, { opinions, myKey, proposals, actorTypes, brief = false }) {
  const drawing = figure.querySelector("[data-role=map]");
  const description = figure.querySelector("[data-role=map-text]");
  if (!opinions) {
    drawing.replaceChildren();
    drawing.setAttribute("hidden", "");
    description.replaceChildren(element("p", { class: "hint" }, t("opinionsWaiting")));
    return;
  }
  drawing.removeAttribute("hidden");
  const mine = myKey ? opinions.points.find((point) => point[3] === myKey) : null;
  const myOpinion = mine ? { position: [mine[0], mine[1]], group: mine[2] } : null;
  const points = opinions.points.map(([x, y]) => [x, y]);
  const extent = Math.max(1e-6, ...points.flat().map((value) => Math.abs(value)));
  const scale = (value) => 50 + (45 * value) / extent;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 100 100");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const [x, y, group] of opinions.points) {
    const dot = document.createElementNS(SVG, group % 2 ? "rect" : "circle");
    dot.setAttribute("class", `group-${group}`);
    if (group % 2) {
      dot.setAttribute("x", String(scale(x) - 1.6));
      dot.setAttribute("y", String(scale(y) - 1.6));
      dot.setAttribute("width", "3.2");
      dot.setAttribute("height", "3.2");
    } else {
      dot.setAttribute("cx", String(scale(x)));
      dot.setAttribute("cy", String(scale(y)));
      dot.setAttribute("r", "1.8");
    }
    svg.append(dot);
  }
  for (const group of opinions.groups) {
    const label = document.createElementNS(SVG, "text");
    label.setAttribute("x", String(scale(group.centre[0])));
    label.setAttribute("y", String(scale(group.centre[1]) - 4));
    label.setAttribute("class", "group-label");
    label.textContent = GROUP_LETTERS[group.id] ?? String(group.id + 1);
    svg.append(label);
  }
  if (myOpinion) {
    const ring = document.createElementNS(SVG, "circle");
    ring.setAttribute("cx", String(scale(myOpinion.position[0])));
    ring.setAttribute("cy", String(scale(myOpinion.position[1])));
    ring.setAttribute("r", "3.5");
    ring.setAttribute("class", "me");
    svg.append(ring);
  }
  drawing.replaceChildren(svg);

  const proposalText = (id) => {
    const proposal = proposals.get(Number(id));
    return proposal ? element("q", { lang: proposal.language }, proposal.text) : `#${id}`;
  };
  const items = opinions.groups.map((group) => {
    const kinds = Object.entries(group.actor_types);
    // All of them folded under "other" (each type too small to show) says nothing the size does not.
    const makeUp = kinds.every(([key]) => key === OTHER_ACTOR_TYPES)
      ? ""
      : kinds.map(([key, count]) => t("countOf", { name: actorTypes[key] ?? key, count })).join(", ");
    const representative = group.representative.slice(0, brief ? 0 : 3).map((item) =>
      element("li", {}, t(item.direction === "agree" ? "groupAgrees" : "groupDisagrees"), " ", proposalText(item.proposal)),
    );
    return element(
      "li",
      { dataset: { group: group.id } },
      element("strong", {}, groupName(group.id)),
      " ",
      t("groupSize", { count: group.size }),
      makeUp ? ` (${makeUp})` : "",
      representative.length ? element("ul", {}, ...representative) : null,
    );
  });
  const listed = brief ? 3 : undefined;
  const consensus = opinions.consensus.slice(0, listed).map((item) => element("li", {}, proposalText(item.proposal)));
  const divisive = opinions.divisive.slice(0, listed).map((item) => element("li", {}, proposalText(item.proposal)));
  const parts = [
    element("p", {}, t("opinionsSummary", { people: opinions.participants_in, groups: opinions.groups.length, count: opinions.groups.length })),
    myOpinion ? element("p", { class: "me-note" }, t("yourGroup", { group: groupName(myOpinion.group) })) : null,
    element("ul", { class: "groups" }, ...items),
    // Each list with its heading, so a screen that has to drop a list drops its heading too.
    headedList(t("consensusHeading"), "consensus", consensus),
    headedList(t("divisiveHeading"), "divisive", divisive),
  ];
  description.replaceChildren(...parts.filter(Boolean));
}

// A list under its heading, together (nothing when the list is empty).
function headedList(heading, className, items) {
  if (!items.length) return null;
  return element("div", {}, element("p", {}, element("strong", {}, heading)), element("ul", { class: className }, ...items));
}

// Who has spoken and voted, by actor type, against who is registered (or joined).
export function renderBalance(container, { balance, actorTypes }) {
  if (!balance) {
    container.replaceChildren(element("p", { class: "hint" }, t("balanceWaiting")));
    return;
  }
  const basis = balance.basis === "registered" ? "registered" : "joined";
  const rows = balance.actor_types.map((row) => {
    // Of those expected: the registered, plus anyone who joined without being on the list (an open
    // roundtable), so the share never passes 100 % nor ignores people who came in unregistered.
    const base = basis === "registered" ? Math.max(row.registered || 0, row.joined || 0) : row.joined || 0;
    const share = base ? Math.round((100 * row.spoke) / base) : 0;
    return element(
      "tr",
      { dataset: { actorType: row.key } },
      element("th", { scope: "row" }, actorTypes[row.key] ?? row.key),
      basis === "registered" ? element("td", {}, String(row.registered)) : null,
      element("td", {}, String(row.joined)),
      element("td", {}, String(row.spoke)),
      element("td", {}, String(row.voted)),
      element("td", {}, element("meter", { min: "0", max: "100", value: String(share), "aria-label": t("spokeShare", { share }) }), ` ${share} %`),
    );
  });
  // Wide on a phone: the table scrolls inside its own region (reachable by keyboard), not the page.
  const captionId = `${container.id || "balance"}-caption`;
  container.replaceChildren(
    element(
      "div",
      { class: "table-scroll", role: "region", tabindex: "0", "aria-labelledby": captionId },
      element(
      "table",
      { class: "balance" },
      element("caption", { id: captionId }, t("balanceCaption")),
      element(
        "thead",
        {},
        element(
          "tr",
          {},
          element("th", { scope: "col" }, t("actorType")),
          basis === "registered" ? element("th", { scope: "col" }, t("balanceRegistered")) : null,
          element("th", { scope: "col" }, t("balanceJoined")),
          element("th", { scope: "col" }, t("balanceSpoke")),
          element("th", { scope: "col" }, t("balanceVoted")),
          element("th", { scope: "col" }, t("balanceShare")),
        ),
      ),
      element("tbody", {}, ...rows),
      ),
    ),
  );
}
