// WeChat templates: the synced private templates, their local fields, a sync (a job) and a test send.
import { api, badge, fill, fmtTime, Form, h, modal, pageHead, poll, pretty, statusLabel, t, table, toast } from "../app.js";
import { accountQuery, accountSwitcher } from "../wechat/account.js";
import { editLocalFields, syncButton } from "../wechat/synced-templates.js";

const FINAL_DELIVERY = new Set(["sent", "failed", "dead"]);

function testDialog(template) {
  const outcome = h("div", { class: "send-outcome" });
  const keys = template.keys || [];
  const form = new Form({
    fields: [
      { name: "touser", label: t("templates.touser"), required: true, placeholder: "oDemoFollower000000000000001", wide: true },
      ...keys.map((key) => ({ name: `data.${key}`, label: key, placeholder: t("templates.valueOf", { key: `{{${key}.DATA}}` }) })),
      { name: "url", label: t("templates.link"), placeholder: "https://", wide: true },
      { name: "miniprogram.appid", label: t("templates.miniAppid") },
      { name: "miniprogram.pagepath", label: t("templates.miniPage") },
    ],
    submitLabel: t("robots.sendTest"),
    onSubmit: async (values) => {
      outcome.replaceChildren();
      const accepted = await api("POST", "wechat/template-messages", { ...values, template_id: template.templateId },
        { query: accountQuery() });
      const line = h("div", { class: "job-progress" }, h("span", { class: "spinner" }), ` ${t("templates.acceptedAs")} `,
        h("code", {}, accepted.id), " ", badge(accepted.status));
      outcome.append(line);
      const record = await poll(() => api("GET", `notifications/${accepted.id}`), (r) => FINAL_DELIVERY.has(r.status),
        { interval: 500, timeout: 60000 });
      line.className = `job-progress job-${record.status === "sent" ? "succeeded" : "failed"}`;
      fill(line, `${t("templates.testMessage")} `, h("a", { href: `#/notifications/${record.id}`, onclick: () => handle.close() }, h("code", {}, record.id)), " ", badge(record.status),
        record.errcode ? h("span", { class: "job-error" }, ` errcode ${record.errcode}`) : null,
        record.lastError ? h("span", { class: "job-error" }, ` ${record.lastError}`) : null);
      outcome.append(h("h3", {}, t("notifications.answer")), pretty(record.answer));
      if (record.status === "sent") toast(t("templates.testSent"), "success");
      else toast(t("templates.testEnded", { status: statusLabel(record.status), error: record.lastError || record.errcode }), "error");
    },
  });
  const handle = modal(t("templates.testTitle", { title: template.title }), [
    h("pre", { class: "template-content" }, template.content || ""), form.element, outcome], { wide: true });
}

export default {
  id: "wechat-templates",
  title: t("nav.templates"),
  group: t("platform.wechat"),
  async render(root, ctx) {
    const list = h("div", {});
    const progress = h("div", { class: "progress-area" });
    const sync = syncButton("wechat/templates/sync",
      { progress, jobLabel: t("templates.syncJob"), signal: ctx.signal, reload: () => load(), query: accountQuery });

    async function load() {
      const { items } = await api("GET", "wechat/templates", undefined, { query: accountQuery(), signal: ctx.signal });
      list.replaceChildren(table([
        { label: t("compose.title"), render: (tp) => h("div", {}, h("strong", {}, tp.title), h("div", { class: "muted small mono" }, tp.templateId)) },
        { label: t("robots.name"), key: "name" },
        { label: t("robots.code"), render: (tp) => (tp.code ? h("code", {}, tp.code) : null) },
        { label: t("robots.enabled"), render: (tp) => badge(tp.enabled ? "enabled" : "disabled") },
        { label: t("templates.keys"), render: (tp) => h("span", { class: "mono small" }, (tp.keys || []).join(", ")) },
        { label: t("templates.synced"), class: "nowrap", render: (tp) => fmtTime(tp.syncedAt) },
        { label: "", class: "actions-cell", render: (tp) => [
          h("button", { type: "button", class: "small", onclick: () => editLocalFields(tp, `wechat/templates/${tp.id}`, load) }, t("common.edit")),
          h("button", { type: "button", class: "small", disabled: !tp.enabled,
            title: tp.enabled ? undefined : t("templates.enableToSend"), onclick: () => testDialog(tp) }, t("robots.sendTest"))] },
      ], items, { empty: t("templates.empty") }));
    }

    root.append(pageHead(t("nav.templates"), {
      help: t("templates.help"),
      actions: [accountSwitcher(() => ctx.refresh(), { signal: ctx.signal }), sync] }), progress, list);
    await load();
  },
};
