// Accounts: the Official Accounts, mini-programs, WeCom and DingTalk apps imbridge speaks for (admin API
// /api/v1/accounts). The config file's are listed read-only; those added here can be changed and removed.
// Secrets are write-only: the API says only whether each is set, and the page never shows more.
import { api, confirmDialog, Form, fmtTime, h, modal, pageHead, t, table, toast, toastError } from "../app.js";

/** The settings that are secrets (as models/accounts.py SECRET_FIELDS, in the API's spelling). */
const SECRETS = new Set(["appSecret", "corpSecret", "token", "encodingAesKey"]);
const API_BASE_HELP = t("accountList.apiBaseUrlHelp");
const AES_HELP = t("accountList.encodingAesKeyHelp");

// Each platform (as the API spells it): its tab's label, the settings that identify an app in the list, and its
// settings in form order. `required` as the API's REQUIRED; every other setting may stay empty.
const PLATFORMS = {
  wechat: {
    label: t("platform.wechat"), ids: ["appId"], fields: [
      { name: "appId", label: t("accountList.appId"), required: true, placeholder: "wx…" },
      { name: "appSecret", label: t("accountList.appSecret"), required: true },
      { name: "token", label: t("accountList.token"), help: t("accountList.tokenHelp") },
      { name: "encodingAesKey", label: t("accountList.encodingAesKey"), help: AES_HELP },
      { name: "tokenMode", label: t("accountList.tokenMode"), type: "select", options: ["stable", "classic"],
        help: t("accountList.tokenModeHelp") },
      { name: "apiBaseUrl", label: t("accountList.apiBaseUrl"), help: API_BASE_HELP },
    ],
  },
  "wechat-applet": {
    label: t("platform.wechat_applet"), ids: ["appId"], fields: [
      { name: "appId", label: t("accountList.appId"), required: true, placeholder: "wx…" },
      { name: "appSecret", label: t("accountList.appSecret"), required: true },
      { name: "apiBaseUrl", label: t("accountList.apiBaseUrl"), help: API_BASE_HELP },
    ],
  },
  wecom: {
    label: t("platform.wecom"), ids: ["corpId", "agentId"], fields: [
      { name: "corpId", label: t("accountList.corpId"), required: true, placeholder: "ww…" },
      { name: "corpSecret", label: t("accountList.corpSecret"), required: true },
      { name: "agentId", label: t("accountList.agentId"), type: "number", step: "1" },
      { name: "token", label: t("accountList.token"), help: t("accountList.tokenHelp") },
      { name: "encodingAesKey", label: t("accountList.encodingAesKey"), help: AES_HELP },
      { name: "apiBaseUrl", label: t("accountList.apiBaseUrl"), help: API_BASE_HELP },
      { name: "loginUrl", label: t("accountList.loginUrl") },
    ],
  },
  "ding-talk": {
    label: t("platform.dingtalk"), ids: ["appKey", "agentId"], fields: [
      { name: "appKey", label: t("accountList.appKey"), required: true, placeholder: "ding…" },
      { name: "appSecret", label: t("accountList.appSecret"), required: true },
      { name: "agentId", label: t("accountList.agentId"), type: "number", step: "1" },
      { name: "robotCode", label: t("accountList.robotCode"), help: t("accountList.robotCodeHelp") },
      { name: "apiBaseUrl", label: t("accountList.apiBaseUrl"), help: API_BASE_HELP },
      { name: "v1ApiBaseUrl", label: t("accountList.v1ApiBaseUrl") },
      { name: "loginUrl", label: t("accountList.loginUrl") },
    ],
  },
};

const path = (platform, code) => `accounts/${platform}/${encodeURIComponent(code)}`;

/** Whether each secret is set, as pills; the secret itself never reaches the page. */
function secretsCell(account) {
  const set = account.secretsSet || {};
  return Object.keys(set).map((name) => h("div", { class: "secret-state", dataset: { secret: name, set: String(set[name]) } },
    h("code", {}, name), " ",
    h("span", { class: `badge ${set[name] ? "badge-ok" : "badge-disabled"}` }, t(set[name] ? "accountList.set" : "accountList.notSet"))));
}

/** The account's callback URL, whole, in a field to select, with a button that copies it. */
function portalCell(account) {
  if (!account.portalUrl) return null;
  const url = new URL(account.portalUrl, location.origin).href;
  const input = h("input", { type: "text", class: "mono portal-url", value: url, readonly: true,
    onfocus: () => input.select() });
  async function copy() {
    input.select();
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      document.execCommand("copy");  // no clipboard API (a page not served over https nor from localhost)
    }
    toast(t("accountList.copied", { url }), "success");
  }
  return h("div", { class: "portal-cell" }, input,
    h("button", { type: "button", class: "small", dataset: { action: "copy" }, onclick: copy }, t("accountList.copy")));
}

/** The form that adds an account (`account` null) or changes one added here: only what changed is sent. */
function accountForm(platform, account, onDone) {
  const spec = PLATFORMS[platform];
  const editing = Boolean(account);
  const set = account?.secretsSet || {};
  const settings = account?.settings || {};
  const fields = [];
  if (!editing) {
    fields.push({ name: "code", label: t("accountList.code"), required: true, placeholder: "sales", help: t("accountList.codeHelp") });
  }
  fields.push({ name: "name", label: t("accountList.name"), placeholder: t("accountList.namePlaceholder") });
  for (const field of spec.fields) {
    if (!SECRETS.has(field.name)) {
      fields.push(field);
      continue;
    }
    // A secret is never prefilled: the field only ever replaces it.
    const help = editing ? t(set[field.name] ? "accountList.keepSecret" : "accountList.secretNotSetHelp") : field.help;
    const removable = editing && !field.required && set[field.name];
    fields.push({ ...field, type: "password", required: field.required && !editing, help,
      when: removable ? (raw) => !raw[`remove.${field.name}`] : undefined });
    if (removable) {
      fields.push({ name: `remove.${field.name}`, label: t("accountList.removeSecret", { name: field.name }), type: "checkbox" });
    }
  }
  const values = editing ? { name: account.name, ...settings } : { tokenMode: "stable" };
  return new Form({
    fields,
    values,
    submitLabel: editing ? t("accountList.saveChanges") : t("accountList.addSubmit"),
    onSubmit: async (given) => {
      let saved;
      if (editing) {
        saved = await api("PATCH", path(platform, account.code), changes(spec, account, given));
      } else {
        saved = await api("POST", "accounts", { platform, ...given });
      }
      toast(t(editing ? "accountList.savedToast" : "accountList.addedToast", { platform: spec.label, code: saved.code }), "success");
      onDone(saved);
    },
  });
}

/** The PATCH body: the settings that differ from the account's (an emptied one as null: back to its default),
 * the secrets typed in, and null for each secret to remove. */
function changes(spec, account, given) {
  const body = {};
  if ((given.name ?? null) !== (account.name ?? null)) body.name = given.name ?? null;
  for (const { name } of spec.fields) {
    if (SECRETS.has(name)) {
      if (given.remove?.[name]) body[name] = null;
      else if (given[name] !== undefined) body[name] = given[name];
      continue;
    }
    const before = account.settings?.[name] ?? null;
    const after = given[name] ?? null;
    if (String(before) !== String(after)) body[name] = after;
  }
  return body;
}

export default {
  id: "accounts",
  title: t("nav.accounts"),
  group: t("nav.groupSystem"),
  async render(root, ctx) {
    const platform = PLATFORMS[ctx.params[0]] ? ctx.params[0] : "wechat";
    const spec = PLATFORMS[platform];
    const list = h("div", { class: "account-list" });

    const columns = [
      { label: t("accountList.code"), class: "nowrap", render: (a) => [h("strong", {}, a.code),
        a.source === "config"
          ? h("div", { class: "muted small", title: t("accountList.readOnlyTitle") }, t("accountList.fromConfig"))
          : h("div", { class: "muted small" }, t("accountList.fromApi"))] },
      { label: t("accountList.name"), key: "name" },
      { label: t("accountList.ids"), class: "nowrap", render: (a) => spec.ids.filter((id) => a.settings?.[id] != null)
        .map((id) => h("div", {}, h("code", { class: "muted" }, id), " ", h("code", {}, String(a.settings[id])))) },
      { label: t("accountList.secrets"), class: "nowrap", render: secretsCell },
      platform === "wechat" || platform === "wecom" ? { label: t("accountList.portal"), render: portalCell } : null,
      { label: t("accountList.state"), class: "nowrap", render: (a) => [
        h("span", { class: `badge ${a.configured ? "badge-ok" : "badge-disabled"}` },
          t(a.configured ? "accountList.configured" : "accountList.notConfigured")),
        a.problem ? h("div", { class: "form-error small" }, t("accountList.unreadable")) : null] },
      { label: t("accountList.updated"), class: "nowrap", render: (a) => (a.updatedAt ? fmtTime(a.updatedAt) : null) },
      { label: "", class: "actions-cell", render: (a) => (a.source === "config" ? null : [
        h("button", { type: "button", class: "small", dataset: { action: "edit" }, onclick: () => edit(a) }, t("common.edit")),
        h("button", { type: "button", class: "small danger", dataset: { action: "delete" }, onclick: () => remove(a) }, t("common.delete")),
      ]) },
    ].filter(Boolean);

    async function load() {
      try {
        const { items } = await api("GET", "accounts", undefined, { query: { platform }, signal: ctx.signal });
        list.replaceChildren(table(columns, items, { empty: t("accountList.empty", { platform: spec.label }) }));
        list.querySelectorAll("tbody tr").forEach((row, i) => {
          row.dataset.code = items[i].code;
          row.dataset.source = items[i].source;
        });
      } catch (err) {
        if (err.name !== "AbortError") { list.replaceChildren(h("p", { class: "form-error" }, err.message)); toastError(err); }
      }
    }

    function create() {
      const handle = modal(t("accountList.addTitle", { platform: spec.label }),
        accountForm(platform, null, () => { handle.close(); load(); }).element, { wide: true });
    }

    async function edit(account) {
      let current = account;
      try {
        current = await api("GET", path(platform, account.code), undefined, { signal: ctx.signal });
      } catch (err) {
        toastError(err);
        return;
      }
      const handle = modal(t("accountList.editTitle", { platform: spec.label, code: account.code }),
        accountForm(platform, current, () => { handle.close(); load(); }).element, { wide: true });
    }

    async function remove(account) {
      if (!(await confirmDialog(t("accountList.deleteAsk", { platform: spec.label, code: account.code }), { confirm: t("common.delete") }))) return;
      try {
        await api("DELETE", path(platform, account.code));
        toast(t("accountList.deletedToast", { code: account.code }), "success");
        load();
      } catch (err) { toastError(err); }
    }

    root.append(
      pageHead(t("nav.accounts"), { help: t("accountList.help"),
        actions: [h("button", { type: "button", class: "primary", id: "add-account", onclick: create }, t("accountList.addButton", { platform: spec.label }))] }),
      h("div", { class: "tabs" }, Object.entries(PLATFORMS).map(([id, p]) => h("button", {
        type: "button", class: id === platform ? "active" : undefined, dataset: { platform: id },
        onclick: () => ctx.navigate(`#/accounts/${id}`) }, p.label))),
      list);
    await load();
  },
};
