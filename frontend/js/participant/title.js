// The roundtable's title on one line on a phone; the button shows all of it (and the event's name).
export function titleToggle() {
  const button = document.querySelector("[data-role=title-toggle]");
  const topbar = document.querySelector("[data-role=topbar]");
  const more = document.getElementById("title-more");
  if (!button) return;
  button.addEventListener("click", () => {
    const expanded = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
    topbar.dataset.expanded = expanded ? "true" : "false";
    more.hidden = !expanded;
  });
}
