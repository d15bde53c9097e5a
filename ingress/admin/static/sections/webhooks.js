// Webhooks: other systems subscribed to inbound traffic; secrets write-only (masked), deliveries per subscription.
import {
  api, badge, confirmDialog, fill, fmtTime, Form, h, modal, pageHead, pagedTable, statusLabel, t, table, toast, toastError,
} from "../app.js";
import { invalidEvents, parseEvents } from "../inbound/events.js";

const EVENTS_HELP = t("webhooks.eventsHelp");

/** The subscription form; `existing` is null for a new one. */
function subscriptionDialog(existing, onSaved) {
  const form = new Form({
    fields: [
      { name: "name", label: t("robots.name"), required: true, placeholder: "crm" },
      { name: "url", label: "URL", required: true, placeholder: "https://crm.example.com/hooks/wechat", wide: true },
      { name: "events", label: t("webhooks.events"), type: "list", required: true, placeholder: "text, event:subscribe", help: EVENTS_HELP, wide: true },
      { name: "secret", label: t("webhooks.secret"), type: "password", placeholder: existing ? t("webhooks.unchanged") : t("webhooks.generated"),
        help: existing ? t("webhooks.secretKeepHelp") : t("webhooks.secretNewHelp") },
      { name: "accounts", label: t("webhooks.accounts"), type: "list", placeholder: "default, sales", help: t("webhooks.accountsHelp"), wide: true },
      { name: "enabled", label: t("robots.enabled"), type: "checkbox", value: true },
    ],
    values: existing ? { ...existing, secret: "" } : { enabled: true },
    submitLabel: existing ? t("common.save") : t("common.create"),
    cancel: () => handle.close(),
    onSubmit: async (values) => {
      const body = { name: values.name ?? "", url: values.url ?? "", events: values.events ?? [], enabled: values.enabled };
      if (values.secret) body.secret = values.secret;
      if (values.accounts || existing) body.accounts = values.accounts ?? null;  // none named: every account
      const saved = existing ? await api("PATCH", `webhooks/${existing.id}`, body) : await api("POST", "webhooks", body);
      onSaved();
      if (!existing && !values.secret) {
        // The one answer that shows a generated secret: keep the dialog open until it is copied.
        fill(handle.dialog.querySelector(".modal-body"),
          h("p", {}, t("webhooks.createdOnce", { name: saved.name })),
          h("p", { class: "secret-once mono", id: "webhook-secret" }, saved.secret),
          h("p", { class: "muted small" }, t("webhooks.receiversCheck"), " ", h("code", {}, "X-Imbridge-Signature: sha256=HMAC-SHA256(secret, \"<timestamp>.<body>\")")),
          h("div", { class: "actions" }, h("button", { type: "button", class: "primary", onclick: () => handle.close() }, t("common.done"))));
        return;
      }
      toast(t("webhooks.savedToast", { name: saved.name }), "success");
      handle.close();
    },
  });
  // The filters are checked as they are typed, with the server's rule.
  const events = form.inputs.get("events");
  events.input.addEventListener("input", () => {
    const bad = invalidEvents(parseEvents(events.input.value));
    events.error.textContent = bad.length ? t("webhooks.badFilter", { entries: bad.join(", ") }) : "";
    events.wrapper.classList.toggle("invalid", bad.length > 0);
  });
  const handle = modal(existing ? t("webhooks.editTitle", { name: existing.name }) : t("webhooks.new"), form.element);
}

function listView(root, ctx) {
  const list = h("div", {});
  async function load() {
    const { items } = await api("GET", "webhooks", undefined, { signal: ctx.signal });
    fill(list, table([
      { label: t("robots.name"), render: (w) => h("a", { href: `#/webhooks/${w.id}` }, w.name) },
      { label: "URL", class: "wrap-anywhere", render: (w) => h("code", { class: "small" }, w.url) },
      { label: t("webhooks.events"), render: (w) => h("span", { class: "mono small" }, w.events.join(", ")) },
      { label: t("webhooks.accounts"), class: "webhook-accounts", render: (w) => (w.accounts
        ? h("span", { class: "mono small" }, w.accounts.join(", ")) : h("span", { class: "muted" }, t("webhooks.allAccounts"))) },
      { label: t("robots.enabled"), render: (w) => badge(w.enabled ? "enabled" : "disabled") },
      { label: t("webhooks.secretShort"), render: (w) => h("span", { class: "secret" }, w.secret) },
      { label: t("robots.updated"), class: "nowrap", render: (w) => fmtTime(w.updatedAt) },
      { label: "", class: "actions-cell", render: (w) => [
        h("button", { type: "button", class: "small", onclick: () => subscriptionDialog(w, load) }, t("common.edit")),
        h("button", { type: "button", class: "small", onclick: () => ctx.navigate(`webhooks/${w.id}`) }, t("webhooks.deliveries")),
        h("button", { type: "button", class: "small danger", onclick: () => remove(w) }, t("common.delete"))] },
    ], items, { empty: t("webhooks.empty") }));
  }
  async function remove(webhook) {
    if (!(await confirmDialog(t("webhooks.deleteAsk", { name: webhook.name }), { confirm: t("common.delete") }))) return;
    try {
      await api("DELETE", `webhooks/${webhook.id}`);
      toast(t("webhooks.deletedToast"), "success");
      await load();
    } catch (err) {
      toastError(err, t("common.delete"));
    }
  }
  root.append(pageHead(t("nav.webhooks"), {
    help: t("webhooks.help"),
    actions: [h("button", { type: "button", class: "primary", onclick: () => subscriptionDialog(null, load) }, t("webhooks.new"))] }),
  list);
  return load();
}

async function deliveriesView(root, ctx, id) {
  const webhook = await api("GET", `webhooks/${encodeURIComponent(id)}`, undefined, { signal: ctx.signal });
  let state = "";
  const deliveries = pagedTable({
    limit: 25,
    load: async (page, limit) => ({ ...(await api("GET", `webhooks/${webhook.id}/deliveries`, undefined,
      { query: { state, limit, offset: (page - 1) * limit }, signal: ctx.signal })), page }),
    empty: t("webhooks.noDeliveries"),
    columns: [
      { label: "#", key: "id" },
      { label: t("webhooks.inbound"), render: (d) => h("a", { href: `#/inbound/${d.inboundId}` }, `#${d.inboundId}`) },
      { label: t("robots.state"), render: (d) => badge(d.state) },
      { label: t("notifications.attempts"), class: "num", key: "attempts" },
      { label: t("webhooks.lastAnswer"), render: (d) => [d.lastStatus ? h("code", {}, `HTTP ${d.lastStatus}`) : null,
        d.lastError ? h("div", { class: "job-error small" }, d.lastError) : null] },
      { label: t("notifications.created"), class: "nowrap", render: (d) => fmtTime(d.createdAt) },
      { label: t("webhooks.delivered"), class: "nowrap", render: (d) => fmtTime(d.deliveredAt) },
    ],
  });
  const stateSelect = h("select", { name: "state", onchange: (e) => { state = e.target.value; deliveries.reload(1); } },
    ["", "pending", "delivered", "failed"].map((s) => h("option", { value: s }, s ? statusLabel(s) : t("webhooks.anyState"))));
  root.append(pageHead(t("webhooks.title", { name: webhook.name }), {
    help: h("span", {}, h("code", {}, webhook.url), ` · ${webhook.events.join(", ")}`),
    actions: [h("button", { type: "button", onclick: () => ctx.navigate("webhooks") }, t("webhooks.all")),
      h("button", { type: "button", onclick: () => deliveries.reload() }, t("common.refresh")),
      h("button", { type: "button", onclick: () => subscriptionDialog(webhook, ctx.refresh) }, t("common.edit"))] }),
  h("dl", { class: "kv card" }, h("dt", {}, t("robots.enabled")), h("dd", {}, badge(webhook.enabled ? "enabled" : "disabled")),
    h("dt", {}, t("webhooks.secretShort")), h("dd", { class: "secret" }, webhook.secret), h("dt", {}, t("notifications.created")), h("dd", {}, fmtTime(webhook.createdAt))),
  h("div", { class: "row" }, h("h2", {}, t("webhooks.deliveries")), h("span", { class: "spacer" }), h("label", { class: "row inline-filter" }, t("robots.state"), stateSelect)),
  deliveries.element);
}

export default {
  id: "webhooks",
  title: t("nav.webhooks"),
  group: t("nav.groupInbound"),
  render(root, ctx) {
    return ctx.params[0] ? deliveriesView(root, ctx, ctx.params[0]) : listView(root, ctx);
  },
};
