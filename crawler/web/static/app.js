// Editors' desk: claims, keyboard shortcuts, counts, bulk selection. No harvested text is ever
// inserted as HTML here: only our own server-rendered, escaped fragment (counts) is.
"use strict";
(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.getAttribute("content") : "";
  const page = document.body.dataset.page;

  function typing(ev) {
    const t = ev.target;
    return t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
  }
  function click(id) {
    const el = document.getElementById(id);
    if (el && !el.disabled) { el.click(); return true; }
    return false;
  }

  function initQueue() {
    const counts = document.getElementById("counts");
    if (counts && counts.dataset.src) {
      fetch(counts.dataset.src, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
        .then((html) => {
          const doc = new DOMParser().parseFromString(html, "text/html");
          const body = doc.getElementById("counts-body");
          if (body) counts.replaceChildren(document.importNode(body, true));
        })
        .catch(() => {});
    }
    const all = document.getElementById("select-all");
    const boxes = () => Array.from(document.querySelectorAll('input[name="item"]'));
    if (all) all.addEventListener("change", () => boxes().forEach((b) => { b.checked = all.checked; }));
    const rows = Array.from(document.querySelectorAll("tr.row"));
    let current = -1;
    function select(i) {
      if (!rows.length) return;
      current = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach((r, j) => r.classList.toggle("current", j === current));
      rows[current].scrollIntoView({ block: "nearest" });
    }
    document.addEventListener("keydown", (ev) => {
      if (typing(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (ev.key === "j") select(current + 1);
      else if (ev.key === "k") select(current - 1);
      else if ((ev.key === "o" || ev.key === "Enter") && current >= 0) window.location.href = rows[current].dataset.href;
      else if (ev.key === "x" && current >= 0) {
        const box = rows[current].querySelector('input[name="item"]');
        if (box) box.checked = !box.checked;
      } else if (ev.key === "A") click("bulk-approve");
      else if (ev.key === "/") { const q = document.getElementById("q"); if (q) { q.focus(); } }
      else return;
      ev.preventDefault();
    });
  }

  function initItem() {
    const article = document.getElementById("item");
    if (!article) return;
    const id = article.dataset.itemId;
    // a refused decision is shown at the form's POST address: show (and reload) the item's own
    if (article.dataset.url && window.location.pathname !== new URL(article.dataset.url, window.location.href).pathname)
      window.history.replaceState(null, "", article.dataset.url);
    const lease = Number(article.dataset.lease || 300) * 1000;
    const banner = document.getElementById("claim-banner");
    const buttons = ["approve", "defer", "reject", "save-edit", "save-approve"].map((x) => document.getElementById(x));
    let lastActivity = Date.now();
    ["keydown", "mousemove", "input", "scroll"].forEach((t) =>
      document.addEventListener(t, () => { lastActivity = Date.now(); }, { passive: true }));

    // never a Claim button beside "Claimed by you": Claim while not holding it, Release while holding it
    function showClaimButton(show) {
      const claimForm = document.getElementById("claim-form");
      const releaseForm = document.getElementById("release-form");
      if (claimForm) claimForm.hidden = !show;
      if (releaseForm) releaseForm.hidden = show;
    }

    function claim() {
      return fetch(`/items/${id}/claim`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
      })
        .then((r) => r.json().then((body) => ({ ok: r.ok, body })))
        .then(({ ok, body }) => {
          if (ok) {
            // the server's words, absolute UTC: every editor reads the same line, whatever their time zone
            banner.textContent = `${body.label}.`;
            banner.classList.remove("error");
            banner.dataset.claimed = "mine";
            showClaimButton(false);
          } else {
            banner.textContent = body.label
              ? `${body.label}. You can read it but not decide.`
              : body.message || "Another editor is reviewing this item.";
            banner.classList.add("error");
            banner.dataset.claimed = "other";
            showClaimButton(true);
            buttons.forEach((b) => { if (b) b.disabled = true; });
          }
        })
        .catch(() => { banner.textContent = "Could not claim the item (network or server error)."; });
    }
    // only an item waiting for a decision is claimed: a decided one has no banner and no Claim button
    if (article.dataset.claimable === "true" && banner) {
      claim();
      // renew while the editor works; an idle page lets the lease run out
      setInterval(() => { if (Date.now() - lastActivity < lease && banner.dataset.claimed === "mine") claim(); },
        Math.max(10000, lease / 3));
    }

    // the shortcuts table: open on a wide screen, folded on a phone (the markup starts folded)
    const keys = document.getElementById("item-keys");
    if (keys && window.matchMedia("(min-width: 761px)").matches) keys.open = true;

    const reason = document.getElementById("reason");
    if (reason) reason.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && reason.value) { ev.preventDefault(); click("reject"); }
    });
    document.addEventListener("keydown", (ev) => {
      if (typing(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (ev.key === "a") click("approve");
      else if (ev.key === "d") click("defer");
      else if (ev.key === "r") { if (reason && reason.value) click("reject"); else if (reason) reason.focus(); }
      else if (ev.key === "e") { const t = document.getElementById("editor_title"); if (t) t.focus(); }
      else if (ev.key === "n") click("next-item");
      else if (ev.key === "q") window.location.href = article.dataset.queue || "/queue";
      else return;
      ev.preventDefault();
    });
  }

  if (page === "queue") initQueue();
  if (page === "item") initItem();
})();
