// Webhooks: other systems subscribed to inbound traffic; secrets write-only (masked), deliveries per subscription.
import {
  api, badge, confirmDialog, fill, fmtTime, Form, h, modal, pageHead, pagedTable, table, toast, toastError,
} from "../app.js";
import { invalidEvents, parseEvents } from "../inbound/events.js";

const EVENTS_HELP = "Comma separated: * for everything, a MsgType (text, image, location, event…) or event:<Event> (event:subscribe, event:CLICK).";

/** The subscription form; `existing` is null for a new one. */
function subscriptionDialog(existing, onSaved) {
  const form = new Form({
    fields: [
      { name: "name", label: "Name", required: true, placeholder: "crm" },
      { name: "url", label: "URL", required: true, placeholder: "https://crm.example.com/hooks/wechat", wide: true },
      { name: "events", label: "Events", type: "list", required: true, placeholder: "text, event:subscribe", help: EVENTS_HELP, wide: true },
      { name: "secret", label: "Signing secret", type: "password", placeholder: existing ? "unchanged" : "generated",
        help: existing ? "Leave blank to keep the secret; at least 16 characters to replace it."
          : "Leave blank and one is generated and shown once; or give your own (at least 16 characters)." },
      { name: "enabled", label: "Enabled", type: "checkbox", value: true },
    ],
    values: existing ? { ...existing, secret: "" } : { enabled: true },
    submitLabel: existing ? "Save" : "Create",
    cancel: () => handle.close(),
    onSubmit: async (values) => {
      const body = { name: values.name ?? "", url: values.url ?? "", events: values.events ?? [], enabled: values.enabled };
      if (values.secret) body.secret = values.secret;
      const saved = existing ? await api("PATCH", `webhooks/${existing.id}`, body) : await api("POST", "webhooks", body);
      onSaved();
      if (!existing && !values.secret) {
        // The one answer that shows a generated secret: keep the dialog open until it is copied.
        fill(handle.dialog.querySelector(".modal-body"),
          h("p", {}, `Subscription “${saved.name}” created. Its signing secret is shown this once:`),
          h("p", { class: "secret-once mono", id: "webhook-secret" }, saved.secret),
          h("p", { class: "muted small" }, "Receivers check X-Imbridge-Signature: sha256=HMAC-SHA256(secret, \"<timestamp>.<body>\")."),
          h("div", { class: "actions" }, h("button", { type: "button", class: "primary", onclick: () => handle.close() }, "Done")));
        return;
      }
      toast(`Webhook “${saved.name}” saved`, "success");
      handle.close();
    },
  });
  // The filters are checked as they are typed, with the server's rule.
  const events = form.inputs.get("events");
  events.input.addEventListener("input", () => {
    const bad = invalidEvents(parseEvents(events.input.value));
    events.error.textContent = bad.length ? `not a filter entry: ${bad.join(", ")}` : "";
    events.wrapper.classList.toggle("invalid", bad.length > 0);
  });
  const handle = modal(existing ? `Edit webhook “${existing.name}”` : "New webhook", form.element);
}

function listView(root, ctx) {
  const list = h("div", {});
  async function load() {
    const { items } = await api("GET", "webhooks", undefined, { signal: ctx.signal });
    fill(list, table([
      { label: "Name", render: (w) => h("a", { href: `#/webhooks/${w.id}` }, w.name) },
      { label: "URL", render: (w) => h("code", { class: "small" }, w.url) },
      { label: "Events", render: (w) => h("span", { class: "mono small" }, w.events.join(", ")) },
      { label: "Enabled", render: (w) => badge(w.enabled ? "enabled" : "disabled") },
      { label: "Secret", render: (w) => h("span", { class: "secret" }, w.secret) },
      { label: "Updated", render: (w) => fmtTime(w.updatedAt) },
      { label: "", class: "actions-cell", render: (w) => [
        h("button", { type: "button", class: "small", onclick: () => subscriptionDialog(w, load) }, "Edit"),
        h("button", { type: "button", class: "small", onclick: () => ctx.navigate(`webhooks/${w.id}`) }, "Deliveries"),
        h("button", { type: "button", class: "small danger", onclick: () => remove(w) }, "Delete")] },
    ], items, { empty: "No subscriptions yet." }));
  }
  async function remove(webhook) {
    if (!(await confirmDialog(`Delete the webhook “${webhook.name}” and its delivery records?`, { confirm: "Delete" }))) return;
    try {
      await api("DELETE", `webhooks/${webhook.id}`);
      toast("Webhook deleted", "success");
      await load();
    } catch (err) {
      toastError(err, "Delete");
    }
  }
  root.append(pageHead("Webhooks", {
    help: "Other systems subscribed to inbound messages and events: each gets a signed POST per matching record.",
    actions: [h("button", { type: "button", class: "primary", onclick: () => subscriptionDialog(null, load) }, "New webhook")] }),
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
    empty: "No deliveries yet.",
    columns: [
      { label: "#", key: "id" },
      { label: "Inbound", render: (d) => h("a", { href: `#/inbound/${d.inboundId}` }, `#${d.inboundId}`) },
      { label: "State", render: (d) => badge(d.state) },
      { label: "Attempts", class: "num", key: "attempts" },
      { label: "Last answer", render: (d) => [d.lastStatus ? h("code", {}, `HTTP ${d.lastStatus}`) : null,
        d.lastError ? h("div", { class: "job-error small" }, d.lastError) : null] },
      { label: "Created", render: (d) => fmtTime(d.createdAt) },
      { label: "Delivered", render: (d) => fmtTime(d.deliveredAt) },
    ],
  });
  const stateSelect = h("select", { name: "state", onchange: (e) => { state = e.target.value; deliveries.reload(1); } },
    ["", "pending", "delivered", "failed"].map((s) => h("option", { value: s }, s || "any state")));
  root.append(pageHead(`Webhook “${webhook.name}”`, {
    help: h("span", {}, h("code", {}, webhook.url), ` · ${webhook.events.join(", ")}`),
    actions: [h("button", { type: "button", onclick: () => ctx.navigate("webhooks") }, "‹ All webhooks"),
      h("button", { type: "button", onclick: () => deliveries.reload() }, "Refresh"),
      h("button", { type: "button", onclick: () => subscriptionDialog(webhook, ctx.refresh) }, "Edit")] }),
  h("dl", { class: "kv card" }, h("dt", {}, "Enabled"), h("dd", {}, badge(webhook.enabled ? "enabled" : "disabled")),
    h("dt", {}, "Secret"), h("dd", { class: "secret" }, webhook.secret), h("dt", {}, "Created"), h("dd", {}, fmtTime(webhook.createdAt))),
  h("div", { class: "row" }, h("h2", {}, "Deliveries"), h("span", { class: "spacer" }), h("label", { class: "row inline-filter" }, "State", stateSelect)),
  deliveries.element);
}

export default {
  id: "webhooks",
  title: "Webhooks",
  group: "Inbound",
  render(root, ctx) {
    return ctx.params[0] ? deliveriesView(root, ctx, ctx.params[0]) : listView(root, ctx);
  },
};
