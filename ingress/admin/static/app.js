// imbridge admin: the core every section uses. Native ES module, no framework, no build step.
//
// A section is a module `sections/<id>.js` exporting `{ id, title, group?, render(root, ctx) }`, listed in
// `sections/index.js`. `render` fills `root`; it may return a cleanup function (called when the route changes).
// `ctx` = { params, query, signal, navigate, refresh }: `params` are the hash path parts after the section id
// (`#/notifications/<id>` -> ["<id>"]), `signal` aborts when the operator leaves the section.
//
// Exports for sections: api / ApiError, h (DOM builder), Form, table, pager, pagedTable, watchJob, poll, toast,
// toastError, modal, confirmDialog, badge, fmtTime, fmtAge, navigate, fill, svg, pretty, pageHead, t (i18n.js).

import { formatDateTime, locale, localeSelect, t, translateDocument } from "./i18n.js";

export { t };

// Loaded in start(), so that sections may import this module without a cycle at load time.
let sections = [];

const KEY_STORAGE = "imbridge.admin.apiKey";
export const API_BASE = "/api/v1";

// ---------------------------------------------------------------------------------------------- API client

/** An API failure: `status`, `code`, `message` and the API's `details` (422: `[{field, message, type}]`). */
export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && typeof body === "object" && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = error.code || `http_${status}`;
    this.details = error.details;
    this.body = body;
  }

  /** The 422's per-field problems (`[{field, message}]`), empty for any other error. */
  get fieldErrors() {
    return Array.isArray(this.details) ? this.details.filter((d) => d && typeof d.field === "string") : [];
  }
}

export function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

/**
 * Call the API: `path` is absolute (`/api/v1/...`) or relative to /api/v1 (`robots/wecom`).
 * `body`: a plain value is sent as JSON; a Blob/File/FormData/ArrayBuffer as is (its own content type).
 * Options: `query` (object; empty values left out), `headers`, `signal`, `key` (use this key; a 401 then does
 * not sign out). Returns the parsed JSON (null for an empty answer); throws ApiError.
 */
export async function api(method, path, body, options = {}) {
  const url = new URL(path.startsWith("/") ? path : `${API_BASE}/${path}`, location.origin);
  for (const [name, value] of Object.entries(options.query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const headers = { Accept: "application/json", "Accept-Language": locale, ...(options.headers || {}) };
  const key = options.key ?? apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  let payload;
  if (body instanceof Blob || body instanceof FormData || body instanceof ArrayBuffer) {
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body: payload, signal: options.signal });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, { error: { code: "network_error", message: t("api.noAnswer", { detail: err.message }) } });
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    const error = new ApiError(response.status,
      data && typeof data === "object" ? data : { error: { message: text || response.statusText } });
    if (response.status === 401 && options.key === undefined) signOut(t("login.signedOutBecause", { message: error.message }));
    throw error;
  }
  return data;
}

// ---------------------------------------------------------------------------------------------- DOM helpers

/**
 * Build an element: `h("button", {class: "primary", onclick: fn, disabled: true}, "Save")`.
 * Attributes named on* become listeners; `dataset` and `style` objects; `value`/`checked`/`disabled`/`hidden`/`selected`
 * are set as properties; children are nodes, strings, numbers or arrays of them (null/false skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    // Through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
    else if (name === "style" && typeof value === "object") Object.assign(element.style, value);
    else if (["value", "checked", "disabled", "hidden", "selected", "multiple"].includes(name)) element[name] = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  append(element, children);
  return element;
}

/** An SVG element (charts): `svg("rect", {x: 1, ...})`. */
export function svg(tag, attrs = {}, ...children) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) element.setAttribute(name, value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

export function clear(element) {
  element.replaceChildren();
  return element;
}

/** Replace an element's children (same rules as `h`: null/false skipped, arrays flattened). */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A status pill; its colour follows the word (sent/succeeded green, failed/dead red, ...), its text the locale's. */
export function badge(status) {
  return h("span", { class: `badge badge-${String(status ?? "none").toLowerCase()}`, dataset: { status: status ?? "" } },
    status === null || status === undefined ? "—" : statusLabel(status));
}

/** A status word in the page's language (`status.<word>` in the catalogue); unknown words as they are. */
export function statusLabel(status) {
  const key = `status.${status}`;
  const text = t(key);
  return text === key ? String(status) : text;
}

/** "2026-11-28 13:20:55" (zh-CN) or "Nov 28, 2026, 13:20:55" (en), in the browser's time zone (the API's times are
 * UTC ISO strings). */
export function fmtTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return formatDateTime(d);
}

/** "3 s", "4 min", "2 h 5 min", "3 d" (zh-CN "3 秒", ...): a duration in seconds, for people. */
export function fmtAge(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.round(Math.abs(seconds));
  if (s < 60) return t("age.seconds", { n: s });
  if (s < 3600) return t("age.minutes", { n: Math.floor(s / 60) });
  if (s < 86400) return t("age.hoursMinutes", { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  return t("age.days", { n: Math.floor(s / 86400) });
}

export function pretty(value) {
  return h("pre", { class: "json" }, JSON.stringify(value, null, 2));
}

// ---------------------------------------------------------------------------------------------- toasts

/** A short message in the corner; `kind` is info | success | error. Errors stay until closed. */
export function toast(message, kind = "info", timeout = 5000) {
  const item = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" },
    h("span", { class: "toast-text" }, message),
    h("button", { class: "toast-close", type: "button", "aria-label": t("common.close"), onclick: () => item.remove() }, "×"));
  document.getElementById("toasts").append(item);
  if (kind !== "error" && timeout) setTimeout(() => item.remove(), timeout);
  return item;
}

/** Show an error the way the API said it (its message and code); anything else by its message. */
export function toastError(err, prefix = "") {
  if (err?.name === "AbortError") return null;
  const text = err instanceof ApiError ? `${err.message} (${err.status ? `${err.status} ` : ""}${err.code})` : String(err?.message || err);
  return toast(prefix ? `${prefix}: ${text}` : text, "error");
}

// ---------------------------------------------------------------------------------------------- dialogs

/** A modal dialog holding `content`; resolves when it closes. `close()` on the returned handle closes it. */
export function modal(title, content, { wide = false } = {}) {
  const dialog = h("dialog", { class: `modal${wide ? " modal-wide" : ""}` },
    h("header", { class: "modal-head" }, h("h2", {}, title),
      h("button", { type: "button", class: "link", "aria-label": t("common.close"), onclick: () => dialog.close() }, "×")),
    h("div", { class: "modal-body" }, content));
  document.body.append(dialog);
  const closed = new Promise((resolve) => dialog.addEventListener("close", () => { dialog.remove(); resolve(dialog.returnValue); }));
  dialog.showModal();
  return { dialog, closed, close: (value = "") => dialog.close(value) };
}

/** Ask before doing something that cannot be undone; resolves true or false. */
export function confirmDialog(question, { confirm = t("common.confirm"), danger = true } = {}) {
  return new Promise((resolve) => {
    const handle = modal(t("common.pleaseConfirm"), [
      h("p", {}, question),
      h("div", { class: "actions" },
        h("button", { type: "button", onclick: () => handle.close("no") }, t("common.cancel")),
        h("button", { type: "button", class: danger ? "danger" : "primary", onclick: () => handle.close("yes") }, confirm)),
    ]);
    handle.closed.then((value) => resolve(value === "yes"));
  });
}

// ---------------------------------------------------------------------------------------------- forms

function setPath(target, path, value) {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) node = node[part] ??= {};
  node[parts.at(-1)] = value;
}

function getPath(source, path) {
  return path.split(".").reduce((node, part) => (node == null ? undefined : node[part]), source);
}

/**
 * A form built from field specs, that shows the API's 422 problems next to the matching field.
 *
 * Field spec: `{name, label, type, options, required, placeholder, help, value, rows, when, aliases, keepEmpty}`.
 * `name` is a dotted path into the submitted object (`message.text.content`); types: text, password, textarea,
 * number, checkbox, select (`options`: strings or `{value, label}`), json (a textarea parsed as JSON), list
 * (comma/newline separated strings -> array), datetime (datetime-local -> ISO), hidden. Empty fields are left
 * out unless `keepEmpty`. `when(values)` shows a field only when true (re-checked on every change); `aliases`
 * are other error paths that belong to this field.
 *
 * An API error whose field is the field's name, an alias, or a path below either (`message.text.content` for
 * a json field `message`) is shown inline there; a path above fields (`message.text`) goes to the first field
 * under it; the rest, and the error's own message, go to the form's general message.
 *
 * `onSubmit(values, form)` may return a promise; while it runs the submit button is disabled.
 */
export class Form {
  constructor({ fields, submitLabel = t("common.save"), onSubmit, values = {}, cancel, className = "", extraActions = [] }) {
    this.fields = fields;
    this.onSubmit = onSubmit;
    this.inputs = new Map();
    this.general = h("div", { class: "form-error", role: "alert" });
    this.submitButton = h("button", { type: "submit", class: "primary" }, submitLabel);
    this.element = h("form", { class: `form ${className}`, novalidate: true, onsubmit: (event) => this.submit(event) },
      h("div", { class: "form-fields" }, fields.map((field) => this.renderField(field, getPath(values, field.name) ?? field.value))),
      this.general,
      h("div", { class: "actions" },
        cancel ? h("button", { type: "button", onclick: cancel }, t("common.cancel")) : null, extraActions, this.submitButton));
    this.element.addEventListener("input", () => this.applyConditions());
    this.element.addEventListener("change", () => this.applyConditions());
    this.applyConditions();
  }

  renderField(field, value) {
    const id = `f-${Math.random().toString(36).slice(2, 9)}`;
    const type = field.type || "text";
    let input;
    if (type === "textarea" || type === "json") {
      input = h("textarea", { id, name: field.name, rows: field.rows || (type === "json" ? 8 : 3), placeholder: field.placeholder,
        spellcheck: type === "json" ? "false" : undefined, class: type === "json" ? "mono" : undefined });
      input.value = type === "json" && value !== undefined && typeof value !== "string" ? JSON.stringify(value, null, 2) : (value ?? "");
    } else if (type === "select") {
      input = h("select", { id, name: field.name }, (field.options || []).map((option) => {
        const [v, label] = typeof option === "object" ? [option.value, option.label ?? option.value] : [option, option];
        return h("option", { value: v, selected: String(value ?? field.options[0]?.value ?? field.options[0]) === String(v) }, label);
      }));
    } else if (type === "checkbox") {
      input = h("input", { id, name: field.name, type: "checkbox", checked: Boolean(value) });
    } else if (type === "list") {
      input = h("input", { id, name: field.name, type: "text", placeholder: field.placeholder, value: Array.isArray(value) ? value.join(", ") : (value ?? "") });
    } else if (type === "datetime") {
      input = h("input", { id, name: field.name, type: "datetime-local", value: value ?? "" });
    } else {
      input = h("input", { id, name: field.name, type, placeholder: field.placeholder, value: value ?? "",
        autocomplete: type === "password" ? "new-password" : "off", step: type === "number" ? field.step ?? "any" : undefined });
    }
    if (field.readonly) input.readOnly = true;
    const error = h("span", { class: "field-error", role: "alert" });
    const wrapper = type === "hidden" ? h("div", { hidden: true }, input) : h("label", {
      class: `field field-${type}${field.wide ? " field-wide" : ""}`, for: id, dataset: { field: field.name } },
      type === "checkbox" ? h("span", { class: "check" }, input, h("span", { class: "label" }, field.label)) : [
        h("span", { class: "label" }, field.label, field.required ? h("span", { class: "req", title: t("form.required") }, " *") : null),
        input],
      field.help ? h("span", { class: "help" }, field.help) : null, error);
    this.inputs.set(field.name, { field, input, error, wrapper });
    return wrapper;
  }

  applyConditions() {
    const values = this.rawValues();
    for (const { field, wrapper } of this.inputs.values()) {
      if (field.when) wrapper.hidden = !field.when(values);
    }
  }

  /** Current values by field name, unparsed (for `when`). */
  rawValues() {
    const values = {};
    for (const [name, { field, input }] of this.inputs) values[name] = field.type === "checkbox" ? input.checked : input.value;
    return values;
  }

  /** The object to submit; throws a list of local problems (bad JSON, not a number) as field errors. */
  values() {
    const result = {};
    const problems = [];
    for (const [name, { field, input, wrapper }] of this.inputs) {
      if (wrapper.hidden && field.type !== "hidden") continue;
      const type = field.type || "text";
      let value;
      if (type === "checkbox") value = input.checked;
      else if (type === "json") {
        if (!input.value.trim()) value = undefined;
        else {
          try { value = JSON.parse(input.value); } catch (err) { problems.push({ field: name, message: t("form.badJson", { detail: err.message }) }); continue; }
        }
      } else if (type === "number") value = input.value === "" ? undefined : Number(input.value);
      else if (type === "list") {
        const items = input.value.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
        value = items.length ? items : undefined;
      } else if (type === "datetime") value = input.value ? new Date(input.value).toISOString() : undefined;
      else value = input.value === "" ? undefined : input.value;
      if (value === undefined && field.keepEmpty) value = type === "list" ? [] : "";
      if (value !== undefined) setPath(result, name, value);
    }
    if (problems.length) throw Object.assign(new Error(t("form.correctMarked")), { fieldErrors: problems, local: true });
    return result;
  }

  clearErrors() {
    this.general.replaceChildren();
    for (const { error, wrapper } of this.inputs.values()) {
      error.replaceChildren();
      wrapper.classList.remove("invalid");
    }
  }

  /** Which field shows an error at `path`, or undefined for the general message. */
  fieldFor(path) {
    const names = [...this.inputs.keys()].filter((name) => !this.inputs.get(name).wrapper.hidden);
    const owns = (name) => [name, ...(this.inputs.get(name).field.aliases || [])];
    for (const name of names) if (owns(name).includes(path)) return name;
    let best;
    for (const name of names) {
      for (const own of owns(name)) if (path.startsWith(`${own}.`) && (!best || own.length > best[1].length)) best = [name, own];
    }
    if (best) return best[0];
    return names.find((name) => owns(name).some((own) => own.startsWith(`${path}.`)));
  }

  /** Show an ApiError (or local problems) inline: field messages at their fields, the rest on top. */
  showErrors(err) {
    this.clearErrors();
    const unplaced = [];
    for (const problem of err.fieldErrors || []) {
      const name = this.fieldFor(problem.field);
      if (name === undefined) { unplaced.push(problem); continue; }
      const { error, wrapper } = this.inputs.get(name);
      const extra = problem.field !== name ? `${problem.field}: ` : "";
      error.append(h("span", { class: "field-error-item" }, `${extra}${problem.message}`));
      wrapper.classList.add("invalid");
    }
    this.general.append(h("strong", {}, err.message || String(err)));
    if (unplaced.length) this.general.append(h("ul", {}, unplaced.map((p) => h("li", {}, p.field && p.field !== "body" ? `${p.field}: ${p.message}` : p.message))));
    const first = this.element.querySelector(".invalid input, .invalid textarea, .invalid select");
    if (first) first.focus();
  }

  async submit(event) {
    event?.preventDefault();
    this.clearErrors();
    let values;
    try {
      values = this.values();
    } catch (err) {
      this.showErrors(err);
      return;
    }
    this.submitButton.disabled = true;
    try {
      await this.onSubmit(values, this);
    } catch (err) {
      if (err instanceof ApiError && err.status !== 401) this.showErrors(err);
      else if (err?.name !== "AbortError") this.showErrors(err);
    } finally {
      this.submitButton.disabled = false;
    }
  }
}

// ---------------------------------------------------------------------------------------------- tables

/**
 * A table: `columns` = [{label, key?, render?(row), class?}], `rows` objects. `onRow(row)` makes rows clickable.
 */
export function table(columns, rows, { empty = t("table.empty"), onRow } = {}) {
  if (!rows.length) return h("p", { class: "empty muted" }, empty);
  return h("div", { class: "table-wrap" }, h("table", { class: "table" },
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { class: c.class }, c.label)))),
    h("tbody", {}, rows.map((row) => h("tr", { class: onRow ? "clickable" : undefined,
      onclick: onRow ? (event) => { if (!event.target.closest("button, a, input, select")) onRow(row); } : undefined },
    columns.map((c) => {
      const value = c.render ? c.render(row) : row[c.key];
      return h("td", { class: c.class }, value === null || value === undefined || value === "" ? "—" : value);
    }))))));
}

/** Previous / next with "page X of Y (N items)". */
export function pager({ page, limit, total }, onPage) {
  const pages = Math.max(1, Math.ceil((total || 0) / limit));
  return h("div", { class: "pager" },
    h("button", { type: "button", disabled: page <= 1, onclick: () => onPage(page - 1) }, t("pager.previous")),
    h("span", { class: "muted" }, t(total === 1 ? "pager.statusOne" : "pager.status", { page, pages, total: total ?? 0 })),
    h("button", { type: "button", disabled: page >= pages, onclick: () => onPage(page + 1) }, t("pager.next")));
}

/**
 * A table over a paged API list (`{items, page, limit, total}`): `load(page)` returns that answer.
 * Returns `{element, reload(page?)}`; errors are shown in place and as a toast.
 */
export function pagedTable({ columns, load, empty, onRow, limit = 20 }) {
  const element = h("div", { class: "paged" });
  let current = 1;
  async function reload(page = current) {
    current = page;
    element.classList.add("loading");
    try {
      const answer = await load(page, limit);
      fill(element, table(columns, answer.items, { empty, onRow }),
        answer.total !== undefined ? pager({ page: answer.page ?? page, limit: answer.limit ?? limit, total: answer.total }, reload) : null);
    } catch (err) {
      if (err?.name === "AbortError") return;
      element.replaceChildren(h("p", { class: "form-error" }, err.message));
      toastError(err);
    } finally {
      element.classList.remove("loading");
    }
  }
  reload(1);
  return { element, reload };
}

// ---------------------------------------------------------------------------------------------- polling and jobs

const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener("abort", () => { clearTimeout(timer); reject(new DOMException("aborted", "AbortError")); }, { once: true });
});

/**
 * Call `fetchState()` every `interval` ms until `isFinal(state)`; `onUpdate(state)` after each call.
 * Resolves with the final state; stops (rejecting with AbortError) when `signal` aborts or after `timeout` ms.
 */
export async function poll(fetchState, isFinal, { interval = 700, timeout = 120000, signal, onUpdate } = {}) {
  const started = Date.now();
  for (;;) {
    const state = await fetchState();
    onUpdate?.(state);
    if (isFinal(state)) return state;
    if (Date.now() - started > timeout) throw new Error(t("poll.timeout"));
    await sleep(interval, signal);
  }
}

const JOB_FINAL = new Set(["succeeded", "failed"]);

/**
 * Follow `/api/v1/jobs/{id}` until it is final, showing its progress in `container` (a status line with the
 * state, attempts and the platform's error). Resolves with the final job; toasts its outcome.
 */
export async function watchJob(jobId, { container, label = t("job.label"), signal, interval = 600 } = {}) {
  const box = h("div", { class: "job-progress", dataset: { job: jobId } });
  container?.append(box);
  const show = (job) => {
    const final = JOB_FINAL.has(job.status);
    box.className = `job-progress job-${job.status}`;
    fill(box,
      final ? null : h("span", { class: "spinner", "aria-hidden": "true" }),
      h("span", {}, `${label}: `), badge(job.status),
      job.attempts > 1 ? h("span", { class: "muted" }, ` ${t("job.attempt", { n: job.attempts })}`) : null,
      job.error ? h("span", { class: "job-error" }, ` ${job.errcode ? `errcode ${job.errcode}: ` : ""}${job.error}`) : null,
      job.status === "queued" && job.nextAttemptAt ? h("span", { class: "muted" }, ` ${t("job.nextTry", { time: fmtTime(job.nextAttemptAt) })}`) : null);
  };
  show({ status: "queued", attempts: 0 });
  const job = await poll(() => api("GET", `jobs/${encodeURIComponent(jobId)}`, undefined, { signal }), (j) => JOB_FINAL.has(j.status),
    { interval, signal, onUpdate: show });
  if (job.status === "succeeded") toast(t("job.done", { label }), "success");
  else toast(t("job.failed", { label, error: job.error || statusLabel(job.status) }), "error");
  return job;
}

// ---------------------------------------------------------------------------------------------- page, router

/** A section's page head: title, an optional line of help and actions on the right. */
export function pageHead(title, { help, actions = [] } = {}) {
  return h("header", { class: "page-head" },
    h("div", {}, h("h1", {}, title), help ? h("p", { class: "muted" }, help) : null),
    h("div", { class: "page-actions" }, actions));
}

export function navigate(hash) {
  const target = hash.startsWith("#") ? hash : `#/${hash.replace(/^\//, "")}`;
  if (location.hash === target) route();
  else location.hash = target;
}

let cleanup = null;
let controller = null;

function parseHash() {
  const [path, search = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { id: parts[0], params: parts.slice(1), query: Object.fromEntries(new URLSearchParams(search)) };
}

function renderNav(activeId) {
  const nav = document.getElementById("nav");
  const items = [];
  let group;
  for (const section of sections) {
    if (section.group && section.group !== group) {
      group = section.group;
      items.push(h("li", { class: "nav-group" }, group));
    }
    items.push(h("li", {}, h("a", { href: `#/${section.id}`, class: section.id === activeId ? "active" : undefined,
      dataset: { section: section.id } }, section.title)));
  }
  nav.replaceChildren(...items);
}

async function route() {
  if (!apiKey()) return showLogin();
  const { id, params, query } = parseHash();
  const section = sections.find((s) => s.id === id);
  if (!section) {
    location.replace(`#/${sections[0].id}`);
    return;
  }
  if (typeof cleanup === "function") {
    try { cleanup(); } catch (err) { console.error(err); }
  }
  controller?.abort();
  controller = new AbortController();
  cleanup = null;
  // A dialog belongs to the view it was opened on: Back (or any other route change) closes it.
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  renderNav(section.id);
  document.title = t("shell.documentTitle", { title: section.title });
  const main = document.getElementById("main");
  const root = h("div", { class: "section", id: `section-${section.id}`, dataset: { section: section.id } });
  main.replaceChildren(root);
  const ctx = { params, query, signal: controller.signal, navigate, refresh: () => route() };
  try {
    cleanup = await section.render(root, ctx);
  } catch (err) {
    if (err?.name === "AbortError") return;
    console.error(err);
    root.append(h("div", { class: "card form-error" }, t("shell.sectionFailed", { message: err.message })));
    toastError(err);
  }
}

// ---------------------------------------------------------------------------------------------- login

function showLogin(message) {
  controller?.abort();
  document.getElementById("shell").hidden = true;
  document.getElementById("login").hidden = false;
  const form = document.getElementById("login-form");
  form.querySelector(".form-error").textContent = message || "";
  form.querySelector("#login-key").focus();
}

export function signOut(message) {
  sessionStorage.removeItem(KEY_STORAGE);
  showLogin(message);
}

function showShell() {
  // The key's public id part (imb_<id>_<secret>), so operators see which key this tab uses.
  document.getElementById("whoami").textContent = (apiKey() || "").split("_").slice(0, 2).join("_");
  document.getElementById("login").hidden = true;
  document.getElementById("shell").hidden = false;
  route();
}

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const input = form.querySelector("#login-key");
  const fieldError = form.querySelector(".field-error");
  const general = form.querySelector(".form-error");
  fieldError.textContent = general.textContent = "";
  form.querySelector(".field").classList.remove("invalid");
  const key = input.value.trim();
  if (!key) {
    fieldError.textContent = t("login.enterKey");
    form.querySelector(".field").classList.add("invalid");
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    // Any admin-scope read proves the key: unknown keys answer 401, notify keys 403.
    await api("GET", "apikeys", undefined, { key });
    sessionStorage.setItem(KEY_STORAGE, key);
    input.value = "";
    showShell();
  } catch (err) {
    fieldError.textContent = err instanceof ApiError && err.status === 403
      ? t("login.needsAdmin", { message: err.message }) : err.message;
    form.querySelector(".field").classList.add("invalid");
  } finally {
    button.disabled = false;
  }
}

async function start() {
  translateDocument();
  document.getElementById("login-locale").replaceWith(localeSelect(h));
  document.getElementById("shell-locale").replaceWith(localeSelect(h));
  ({ default: sections } = await import("./sections/index.js"));
  document.getElementById("login-form").addEventListener("submit", signIn);
  document.getElementById("logout").addEventListener("click", () => signOut(t("login.signedOut")));
  window.addEventListener("hashchange", () => { if (apiKey()) route(); });
  if (apiKey()) showShell();
  else showLogin();
}

start();
