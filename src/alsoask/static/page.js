// The page's only script: open a related question in place and append the 2-3 it reveals.
// The server renders (and escapes) all markup; this only moves it into the page.
"use strict";

document.addEventListener("click", async (event) => {
  const button = event.target.closest(".paa-q");
  if (!button) return;
  const item = button.closest(".paa-item");
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  item.querySelector(".paa-a").hidden = !open;
  if (open && !item.dataset.opened) {
    item.dataset.opened = "1";
    await reveal(item);
  }
});

async function reveal(item) {
  const list = item.closest(".paa-list");
  const shown = [...list.querySelectorAll(".paa-item")].map((i) => i.dataset.id);
  if (list.dataset.equivalent) shown.push(...list.dataset.equivalent.split(","));
  const status = document.createElement("div");
  status.className = "paa-status busy";
  status.setAttribute("role", "status");
  status.textContent = "Finding more questions…";
  list.append(status);
  try {
    const query = new URLSearchParams({ id: item.dataset.id, shown: shown.join(",") });
    const response = await fetch("/fragments/expand?" + query);
    if (!response.ok) throw new Error((await response.json()).error || response.statusText);
    const before = new Set(shown);
    status.insertAdjacentHTML("beforebegin", await response.text());
    for (const added of list.querySelectorAll(".paa-item")) {
      if (!before.has(added.dataset.id)) added.classList.add("new");
    }
    status.remove();
  } catch (error) {
    delete item.dataset.opened;  // a later click tries again
    status.className = "paa-status";
    status.textContent = "Could not load more questions: " + error.message;
  }
}

// Loading state while a new question is asked (the page reloads with ?q=, so the URL holds the query).
const search = document.querySelector("form.search");
search?.addEventListener("submit", () => document.body.classList.add("loading"));

// Back, Forward and Reload restore a page with its search box as the user left it (typed over, or kept
// whole in the back-forward cache): show the question in the URL, the one this page answers. A fresh
// visit keeps whatever the user has started typing.
window.addEventListener("pageshow", (event) => {
  document.body.classList.remove("loading");
  const restored = event.persisted || performance.getEntriesByType("navigation")[0]?.type !== "navigate";
  if (search && restored) search.elements.q.value = new URLSearchParams(location.search).get("q") ?? "";
});

// The document view: bring the cited span into view and focus it for keyboard and screen-reader users.
document.getElementById("cited")?.focus({ preventScroll: false });
