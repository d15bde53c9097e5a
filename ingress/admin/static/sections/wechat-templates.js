// WeChat templates: the synced private templates, their local fields, a sync (a job) and a test send.
import {
  api, badge, fill, fmtTime, Form, h, modal, pageHead, poll, pretty, table, toast, toastError, watchJob,
} from "../app.js";

const FINAL_DELIVERY = new Set(["sent", "failed", "dead"]);

function editDialog(template, onSaved) {
  const form = new Form({
    fields: [
      { name: "code", label: "Code", placeholder: "login", help: "How senders name the template (template_code); blank removes it." },
      { name: "name", label: "Name", required: true },
      { name: "enabled", label: "Enabled (a disabled template cannot be sent)", type: "checkbox" },
    ],
    values: template,
    submitLabel: "Save",
    cancel: () => handle.close(),
    onSubmit: async (values) => {
      // Blank code means "remove it": the API takes null for that (an empty string is not a valid code).
      const saved = await api("PATCH", `wechat/templates/${template.id}`,
        { code: values.code ?? null, name: values.name ?? "", enabled: values.enabled });
      toast(`Template “${saved.name}” saved`, "success");
      handle.close();
      onSaved();
    },
  });
  const handle = modal(`Edit ${template.title}`, [
    h("p", { class: "muted" }, "Title, content and keys come from WeChat; these fields are ours."), form.element]);
}

function testDialog(template) {
  const outcome = h("div", { class: "send-outcome" });
  const keys = template.keys || [];
  const form = new Form({
    fields: [
      { name: "touser", label: "To (openid)", required: true, placeholder: "oDemoFollower000000000000001", wide: true },
      ...keys.map((key) => ({ name: `data.${key}`, label: key, placeholder: `value of {{${key}.DATA}}` })),
      { name: "url", label: "Link (optional)", placeholder: "https://", wide: true },
      { name: "miniprogram.appid", label: "Mini program appid (optional)" },
      { name: "miniprogram.pagepath", label: "Mini program page (optional)" },
    ],
    submitLabel: "Send test",
    onSubmit: async (values) => {
      outcome.replaceChildren();
      const accepted = await api("POST", "wechat/template-messages", { ...values, template_id: template.templateId });
      const line = h("div", { class: "job-progress" }, h("span", { class: "spinner" }), " accepted as ",
        h("code", {}, accepted.id), " ", badge(accepted.status));
      outcome.append(line);
      const record = await poll(() => api("GET", `notifications/${accepted.id}`), (r) => FINAL_DELIVERY.has(r.status),
        { interval: 500, timeout: 60000 });
      line.className = `job-progress job-${record.status === "sent" ? "succeeded" : "failed"}`;
      fill(line, "Test message ", h("a", { href: `#/notifications/${record.id}`, onclick: () => handle.close() }, h("code", {}, record.id)), " ", badge(record.status),
        record.errcode ? h("span", { class: "job-error" }, ` errcode ${record.errcode}`) : null,
        record.lastError ? h("span", { class: "job-error" }, ` ${record.lastError}`) : null);
      outcome.append(h("h3", {}, "The platform's answer"), pretty(record.answer));
      if (record.status === "sent") toast("Test message sent", "success");
      else toast(`Test message ${record.status}: ${record.lastError || record.errcode}`, "error");
    },
  });
  const handle = modal(`Send a test: ${template.title}`, [
    h("pre", { class: "template-content" }, template.content || ""), form.element, outcome], { wide: true });
}

export default {
  id: "wechat-templates",
  title: "Templates",
  group: "WeChat",
  async render(root, ctx) {
    const list = h("div", {});
    const progress = h("div", { class: "progress-area" });
    const syncButton = h("button", { type: "button", class: "primary", onclick: sync }, "Sync from WeChat");

    async function load() {
      const { items } = await api("GET", "wechat/templates", undefined, { signal: ctx.signal });
      list.replaceChildren(table([
        { label: "Title", render: (t) => h("div", {}, h("strong", {}, t.title), h("div", { class: "muted small mono" }, t.templateId)) },
        { label: "Name", key: "name" },
        { label: "Code", render: (t) => (t.code ? h("code", {}, t.code) : null) },
        { label: "Enabled", render: (t) => badge(t.enabled ? "enabled" : "disabled") },
        { label: "Keys", render: (t) => h("span", { class: "mono small" }, (t.keys || []).join(", ")) },
        { label: "Synced", render: (t) => fmtTime(t.syncedAt) },
        { label: "", class: "actions-cell", render: (t) => [
          h("button", { type: "button", class: "small", onclick: () => editDialog(t, load) }, "Edit"),
          h("button", { type: "button", class: "small", disabled: !t.enabled,
            title: t.enabled ? undefined : "enable it to send", onclick: () => testDialog(t) }, "Send test")] },
      ], items, { empty: "No templates yet: sync them from WeChat." }));
    }

    async function sync() {
      syncButton.disabled = true;
      try {
        const { jobId } = await api("POST", "wechat/templates/sync");
        progress.replaceChildren();
        const job = await watchJob(jobId, { container: progress, label: "Template sync", signal: ctx.signal });
        if (job.result) {
          const r = job.result;
          progress.append(h("p", { class: "muted small" },
            `${r.total} templates: ${r.inserted} new, ${r.updated} changed, ${r.deleted} removed, ${r.unchanged} unchanged`));
        }
        await load();
      } catch (err) {
        toastError(err, "Sync");
      } finally {
        syncButton.disabled = false;
      }
    }

    root.append(pageHead("Templates", {
      help: "The Official Account's private templates. Title, content and keys come from WeChat (synced); code, name and enabled are local.",
      actions: [syncButton] }), progress, list);
    await load();
  },
};
