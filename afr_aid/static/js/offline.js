/* Filing without a connection (docs/offline.md).
 *
 * A filing form is sent by this script, not by the browser: when the network
 * answers, the server files it (or names the fields to fix, kept on the page);
 * when it does not, the case is kept on the phone, encrypted (offline-store.js),
 * and listed as "waiting to send". It goes when the connection returns, or on
 * "Send now", with the client_uuid it was given when typed, so that a retry
 * files once. What only the server can refuse (an unknown place, the consent
 * rule) comes back as a draft holding every typed value. Every word shown comes
 * from the page (translated by the server): nothing here is in one language. */
import * as store from "./offline-store.js";

const script = document.getElementById("afr-offline");
const T = JSON.parse(document.getElementById("afr-offline-strings").textContent);
const KEEP_DAYS = Number(script.dataset.keepDays || 14);
const SHELL = "afr-shell";
const SHELL_PAGES = ["/offline", "/cases/new/assistance", "/cases/new/incident"];
const form = document.querySelector("form.case-form");
const main = document.querySelector("main");
let syncing = false;
let kept = 0;  // records on the phone, for the sign-out warning (which cannot wait)
const fmt = (text, values) => text.replace(/%\((\w+)\)[sd]/g, (_, name) => values[name]);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "text") node.textContent = value; else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

/* ---- the panel at the top of every page: PIN, waiting cases, drafts, news ---- */
const panel = el("section", { id: "afr-queue", class: "queue-panel", "aria-live": "polite" });
main.prepend(panel);

function say(message, kind = "info") {
  const note = el("p", { class: `flash ${kind}`, role: kind === "error" ? "alert" : "status", text: message });
  panel.querySelector(".news")?.remove();
  note.classList.add("news");
  panel.append(note);
}

function askPin() {
  return new Promise(async (resolve) => {
    panel.querySelector("form.pin")?.remove();
    const first = !(await store.hasPin());
    const pin = el("input", { type: "password", inputmode: "numeric", autocomplete: "off", id: "afr-pin",
      minlength: "4", maxlength: "12", required: "" });
    const again = el("input", { type: "password", inputmode: "numeric", autocomplete: "off", id: "afr-pin-again" });
    const box = el("form", { class: "pin" },
      el("p", { class: "help", text: first ? T.setPinHelp : T.enterPinHelp }),
      el("label", { for: "afr-pin", text: first ? T.newPin : T.pin }), pin,
      ...(first ? [el("label", { for: "afr-pin-again", text: T.pinAgain }), again] : []),
      el("button", { type: "submit", class: "primary", text: T.unlock }));
    box.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!/^\d{4,12}$/.test(pin.value)) return say(T.pinRule, "error");
      if (first && pin.value !== again.value) return say(T.pinMismatch, "error");
      if (first) await store.setPin(pin.value);
      else if (!(await store.unlock(pin.value))) return say(T.wrongPin, "error");
      box.remove();
      resolve();
    });
    panel.prepend(box);
    pin.focus();
  });
}

async function needKey() {
  if (!store.unlocked()) await askPin();
}

async function render() {
  panel.querySelectorAll(".waiting, .drafts").forEach((node) => node.remove());
  const records = await store.cases();
  kept = records.length;
  const waiting = records.filter((r) => r.status === "waiting");
  const drafts = records.filter((r) => r.status === "draft");
  const conflicts = records.filter((r) => r.status === "conflict");
  if (!waiting.length && !drafts.length && !conflicts.length) return;
  const list = async (items) => {
    const ul = el("ul", { class: "items" });
    for (const item of items) {
      const li = el("li", { "data-id": item.id });
      if (store.unlocked()) {
        const record = await store.read(item.name);
        li.append(el("span", { text: record.summary }));
        if (item.status === "draft") {
          li.append(" ", el("a", { href: `/cases/new/${record.kind}?draft=${item.id}`, text: T.fix }));
        }
        if (item.status === "conflict") {
          // Both versions, side by side; the volunteer decides, nothing is re-sent alone.
          const now = record.now || {};
          if (record.action) {
            li.append(el("p", { class: "meta", text: fmt(T.conflictMine, { action: record.label, status: record.statusThen }) }));
          }
          if (now.status_label) {
            li.append(el("p", { class: "meta", text: fmt(T.conflictNow, { status: now.status_label,
              who: now.assignee || T.nobody }) }));
          }
          if (record.error) li.append(el("p", { class: "meta", text: record.error }));
          const dismiss = el("button", { type: "button", class: "small", text: T.dismiss });
          dismiss.addEventListener("click", async () => { await store.remove(item.name); await render(); });
          li.append(dismiss);
        }
      } else {
        li.append(el("span", { text: new Date(item.at).toLocaleString(document.documentElement.lang) }));
      }
      ul.append(li);
    }
    return ul;
  };
  if (waiting.length) {
    const send = el("button", { type: "button", class: "primary", text: T.sendNow });
    send.addEventListener("click", () => sync(true));
    panel.append(el("div", { class: "waiting" },
      el("h2", { text: fmt(T.waiting, { num: waiting.length }) }), await list(waiting), send));
  }
  if (conflicts.length) {
    panel.append(el("div", { class: "drafts conflicts" }, el("h2", { text: fmt(T.conflicts, { num: conflicts.length }) }),
      el("p", { class: "help", text: T.conflictsHelp }), await list(conflicts)));
  }
  if (drafts.length) {
    panel.append(el("div", { class: "drafts" }, el("h2", { text: fmt(T.drafts, { num: drafts.length }) }),
      el("p", { class: "help", text: T.draftsHelp }), await list(drafts)));
  }
}

/* ---- talking to the server ---- */
async function freshToken() {
  const answer = await fetch("/offline/token", { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (answer.redirected || !answer.ok || !(answer.headers.get("Content-Type") || "").includes("json")) return null;
  return (await answer.json()).csrf_token;
}

async function post(kind, entries, token, url = `/cases/new/${kind}`) {
  const body = new FormData();
  for (const [name, value] of entries) body.append(name, value);
  body.set("csrf_token", token);
  const answer = await fetch(url, {
    method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json" } });
  let data = {};
  try { data = await answer.json(); } catch (notJson) { /* a page: signed out, or a server fault */ }
  return { status: answer.status, data };
}

async function sync(asked = false) {
  if (syncing || !navigator.onLine) return;
  const waiting = (await store.cases()).filter((r) => r.status === "waiting");
  if (!waiting.length) return;
  if (!store.unlocked()) {
    if (!asked) { say(T.pinToSend); return; }
    await needKey();
  }
  syncing = true;
  const sent = [];
  try {
    const token = await freshToken();
    if (!token) { say(T.signInToSend, "error"); return; }
    for (const item of waiting) {
      const record = await store.read(item.name);
      if (item.type !== "case") {
        const url = item.type === "act" ? `/cases/${record.ref}/transitions/${record.action}` : `/cases/${record.ref}/notes`;
        const fields = item.type === "act" ? [["seen", record.seen]] : [["body", record.body]];
        const { status, data } = await post(null, fields, token, url);
        if (status === 200 || status === 201) {
          await store.remove(item.name);
          sent.push(record.ref);
        } else if ([403, 404, 409, 422].includes(status)) {
          await store.put(item.name, "conflict", { ...record, now: data.now, error: data.error ||
            Object.values(data.errors || {}).flat().join(" ") });
        } else {
          break;
        }
        continue;
      }
      const { status, data } = await post(record.kind, record.entries, token);
      if (status === 200 || status === 201) {
        await store.remove(item.name);
        sent.push(data.ref);
      } else if (status === 422 || status === 409) {
        await store.put(item.name, "draft", { ...record, errors: data.errors || {},
          leftover: data.leftover || (data.error ? [data.error] : []) });
      } else {
        break;  // signed out meanwhile, or a fault: try again later
      }
    }
  } catch (networkGone) {
    /* the connection dropped again: what was not sent stays waiting */
  } finally {
    syncing = false;
  }
  await render();
  if (sent.length) say(fmt(T.sent, { refs: sent.join(", ") }), "success");
  const left = await store.cases();
  if (left.some((r) => r.status === "draft")) say(T.draftsHelp, "error");
}

/* ---- my open cases: kept on the phone to read, accept, start, resolve or annotate offline ---- */
async function keepMine() {
  const answer = await fetch("/offline/mine", { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!answer.ok || answer.redirected) return false;
  await store.put("mine", "mine", await answer.json());
  return true;
}

function offerToKeepMine() {
  const keepButton = el("button", { type: "button", class: "wide", text: T.keepMine });
  keepButton.addEventListener("click", async () => {
    await needKey();
    if (await keepMine()) { keepButton.remove(); say(T.mineKept, "success"); }
  });
  panel.append(keepButton);
}

async function queueAction(item, action, labels) {
  await needKey();
  await store.put(`act:${crypto.randomUUID()}`, "waiting", { ref: item.ref, action, seen: item.version,
    label: labels[action], statusThen: item.status_label, summary: `${item.ref} · ${labels[action]}` });
  await render();
  say(T.queued, "success");
  sync();
}

async function queueNote(item, body) {
  await needKey();
  await store.put(`note:${crypto.randomUUID()}`, "waiting", { ref: item.ref, body, summary: `${item.ref} · ${T.note}` });
  await render();
  say(T.queued, "success");
  sync();
}

async function showMine(section) {
  if (!(await store.has("mine"))) return;
  await needKey();
  const mine = await store.read("mine");
  const ul = section.querySelector("ul");
  ul.replaceChildren();
  if (!mine.items.length) ul.append(el("li", { text: T.mineEmpty }));
  for (const item of mine.items) {
    const li = el("li", { class: "case", "data-ref": item.ref },
      el("strong", { text: item.ref }), " ",
      el("span", { text: [item.kind_label, item.location, item.urgency_label, item.status_label].join(" · ") }));
    for (const action of item.actions) {
      const button = el("button", { type: "button", class: "small", "data-action": action, text: mine.labels[action] });
      button.addEventListener("click", () => queueAction(item, action, mine.labels));
      li.append(" ", button);
    }
    const note = el("textarea", { rows: "2", maxlength: "10000", "aria-label": T.note });
    const add = el("button", { type: "button", class: "small", text: T.addNote });
    add.addEventListener("click", async () => { if (note.value.trim()) { await queueNote(item, note.value); note.value = ""; } });
    li.append(el("div", {}, note, add));
    ul.append(li);
  }
  section.hidden = false;
}

/* ---- the filing form ---- */
function typed() {
  return [...new FormData(form)].filter(([name, value]) => name !== "csrf_token" && typeof value === "string");
}

function summary(kind) {
  const place = form.querySelector("select[name=location]");
  const urgency = form.querySelector("input[name=urgency]:checked");
  const parts = [kind === "incident" ? T.incident : T.assistance,
    place && place.value ? place.selectedOptions[0].textContent.trim() : "",
    urgency ? (form.querySelector(`label[for="${urgency.id}"]`) || urgency.parentElement).textContent.trim() : "",
    new Date().toLocaleString(document.documentElement.lang, { dateStyle: "short", timeStyle: "short" })];
  return parts.filter(Boolean).join(" · ");
}

function fill(entries) {
  for (const input of form.querySelectorAll("input[type=checkbox], input[type=radio]")) input.checked = false;
  for (const [name, value] of entries) {
    for (const input of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
      if (input.type === "checkbox" || input.type === "radio") {
        if (input.value === value) input.checked = true;
      } else if (input.multiple) {
        for (const option of input.options) if (option.value === value) option.selected = true;
      } else {
        input.value = value;
      }
    }
  }
}

function showErrors(errors = {}, leftover = []) {
  form.querySelectorAll("ul.errors.from-server").forEach((node) => node.remove());
  const top = [...leftover];
  for (const [name, messages] of Object.entries(errors)) {
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    const list = el("ul", { class: "errors from-server" }, ...messages.map((m) => el("li", { text: m })));
    const field = input && input.closest(".field, fieldset");
    if (field) { field.classList.add("has-error"); field.prepend(list); } else top.push(...messages);
  }
  if (top.length || Object.keys(errors).length) {
    const box = el("div", { class: "flash error from-server", role: "alert" },
      el("p", { text: T.fixFields }), el("ul", {}, ...top.map((m) => el("li", { text: m }))));
    form.querySelector(".flash.from-server")?.remove();
    form.prepend(box);
    box.scrollIntoView();
  }
}

async function keep(kind, status) {
  await needKey();
  const id = form.querySelector("[name=client_uuid]").value;
  await store.put(`case:${id}`, status, { kind, entries: typed(), summary: summary(kind) });
  return id;
}

function fresh() {
  form.reset();
  form.querySelector("[name=client_uuid]").value = crypto.randomUUID();
  form.querySelectorAll(".from-server").forEach((node) => node.remove());
  history.replaceState(null, "", location.pathname);
}

async function setUpForm() {
  const kind = location.pathname.split("/").pop();
  const params = new URLSearchParams(location.search);
  const draft = params.get("draft");
  if (draft) {
    await needKey();
    const record = await store.read(`case:${draft}`);
    if (record) {
      fill(record.entries);
      form.querySelector("[name=client_uuid]").value = draft;
      showErrors(record.errors, record.leftover);
    }
  } else {
    // A form opened from the cache carries the client_uuid it was cached with:
    // every case typed gets its own, or a second one would be taken for a retry.
    form.querySelector("[name=client_uuid]").value = crypto.randomUUID();
  }
  const save = el("button", { type: "button", class: "wide", text: T.saveDraft });
  form.querySelector("button[type=submit]").after(save);
  save.addEventListener("click", async () => {
    await keep(kind, "draft");
    fresh();
    await render();
    say(T.draftSaved, "success");
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (navigator.onLine) {
      try {
        const token = await freshToken();
        if (token) {
          const { status, data } = await post(kind, typed(), token);
          if (status === 200 || status === 201) {
            await store.remove(`case:${form.querySelector("[name=client_uuid]").value}`);
            location.assign(data.url);
            return;
          }
          if (status === 422 || status === 409) {
            showErrors(data.errors, data.leftover || (data.error ? [data.error] : []));
            return;
          }
        }
      } catch (networkGone) { /* no answer: keep it on the phone below */ }
    }
    await keep(kind, "waiting");
    fresh();
    await render();
    say(T.queued, "success");
  });
}

/* ---- the app shell, kept while online ---- */
async function refreshShell() {
  if (!navigator.onLine || !self.caches) return;
  const stamp = `${document.documentElement.lang}:${new Date().toISOString().slice(0, 10)}`;
  if (localStorage.getItem("afr-shell") === stamp) return;
  // Every page read whole first, then stored: a connection lost half-way leaves
  // the shell that was there, never a page without its form.
  const pages = [];
  for (const page of SHELL_PAGES) {
    // Not followed: a session that ended sends /login, which is no form to keep,
    // and fetching it would replace the sign-in cookie an open /login page relies on.
    const answer = await fetch(page, { credentials: "same-origin", redirect: "manual" });
    if (!answer.ok || answer.type === "opaqueredirect") return;
    pages.push([page, new Response(await answer.blob(), { status: 200, headers: answer.headers })]);
  }
  const cache = await caches.open(SHELL);
  for (const [page, answer] of pages) await cache.put(page, answer);
  localStorage.setItem("afr-shell", stamp);
}

async function start() {
  await store.expireUnused(KEEP_DAYS);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(() => {});
  }
  document.querySelectorAll("form.out").forEach((out) => out.addEventListener("submit", (event) => {
    if (kept && !confirm(fmt(T.logoutWarning, { num: kept }))) event.preventDefault();
  }));
  if (form) await setUpForm();
  await render();
  const mineSection = document.getElementById("afr-mine");
  if (mineSection) await showMine(mineSection);
  if (location.pathname === "/" && navigator.onLine && document.querySelector(".big-actions")) {
    if (store.unlocked()) await keepMine(); else offerToKeepMine();
  }
  window.addEventListener("online", () => sync());
  // The moment a tap is handled (the phone benchmark, benchmarks/offline_phone.py, reads it).
  document.documentElement.dataset.offlineReady = String(Math.round(performance.now()));
  await sync();
  refreshShell().catch(() => {});
}

start();
