// WeChat subscription templates: the Official Account's (wxaapi/newtmpl/gettemplate) and the mini-program's, synced
// by a job; their data keys (what a send must fill) shown; the local fields (code, name, enabled) edited.
import { api, badge, Form, fmtTime, h, modal, pageHead, t, table, toast, toastError, watchJob } from "../app.js";

// What WeChat accepts for a key's value (the API's keyRules): its type, the longest value, a format for some types.
function ruleText(rule) {
  const parts = [];
  if (rule.maxChars) parts.push(t("subscribeTemplates.maxChars", { max: rule.maxChars }));
  if (rule.formatted) parts.push(t(`subscribeTemplates.format.${rule.type}`));
  return parts.join("; ");
}

function keyChip(rule) {
  return h("code", { class: "key-chip", title: ruleText(rule) }, rule.key);
}

function editDialog(template, onSaved) {
  const form = new Form({
    fields: [
      { name: "code", label: t("robots.code"), placeholder: "ticket-progress", help: t("templates.codeHelp") },
      { name: "name", label: t("robots.name"), required: true },
      { name: "enabled", label: t("templates.enabledLabel"), type: "checkbox" },
    ],
    values: template,
    submitLabel: t("common.save"),
    cancel: () => handle.close(),
    onSubmit: async (values) => {
      // Blank code means "remove it": the API takes null for that (an empty string is not a valid code).
      const saved = await api("PATCH", `wechat/subscribe-templates/${template.id}`,
        { code: values.code ?? null, name: values.name ?? "", enabled: values.enabled });
      toast(t("templates.savedToast", { name: saved.name }), "success");
      handle.close();
      onSaved();
    },
  });
  const handle = modal(t("templates.editTitle", { title: template.title }), [
    h("p", { class: "muted" }, t("templates.editHelp")), form.element]);
}

function keysDialog(template) {
  modal(t("subscribeTemplates.keysTitle", { title: template.title }), [
    h("p", { class: "muted" }, t("subscribeTemplates.keysHelp")),
    table([
      { label: t("templates.keys"), render: (r) => h("code", {}, r.key) },
      { label: t("subscribeTemplates.keyType"), render: (r) => (r.type ? h("code", {}, r.type) : null) },
      { label: t("subscribeTemplates.rule"), render: ruleText },
    ], template.keyRules || [], { empty: t("subscribeTemplates.noKeys") }),
    h("h3", {}, t("subscribeTemplates.content")), h("pre", { class: "template-content" }, template.content || ""),
    h("h3", {}, t("subscribeTemplates.example")), h("pre", { class: "template-content" }, template.example || ""),
  ], { wide: true });
}

export default {
  id: "wechat-subscribe-templates",
  title: t("nav.subscribeTemplates"),
  group: t("platform.wechat"),
  async render(root, ctx) {
    const lists = h("div", {});
    const progress = h("div", { class: "progress-area" });
    const syncButton = h("button", { type: "button", class: "primary", onclick: sync }, t("wechat.sync"));

    function accountTable(items, load) {
      return table([
        { label: t("compose.title"), render: (tp) => h("div", {}, h("strong", {}, tp.title), h("div", { class: "muted small mono" }, tp.templateId)) },
        { label: t("subscribeTemplates.type"), render: (tp) => t(tp.type === 3 ? "subscribeTemplates.longTerm" : "subscribeTemplates.oneOff") },
        { label: t("robots.name"), key: "name" },
        { label: t("robots.code"), render: (tp) => (tp.code ? h("code", {}, tp.code) : null) },
        { label: t("robots.enabled"), render: (tp) => badge(tp.enabled ? "enabled" : "disabled") },
        { label: t("templates.keys"), render: (tp) => h("span", { class: "keys" }, ...(tp.keyRules || []).flatMap((r, i) => (i ? [" ", keyChip(r)] : [keyChip(r)]))) },
        { label: t("templates.synced"), class: "nowrap", render: (tp) => fmtTime(tp.syncedAt) },
        { label: "", class: "actions-cell", render: (tp) => [
          h("button", { type: "button", class: "small", onclick: () => keysDialog(tp) }, t("subscribeTemplates.showKeys")),
          h("button", { type: "button", class: "small", onclick: () => editDialog(tp, load) }, t("common.edit"))] },
      ], items, { empty: t("subscribeTemplates.empty") });
    }

    async function load() {
      const { items } = await api("GET", "wechat/subscribe-templates", undefined, { signal: ctx.signal });
      lists.replaceChildren(...[["oa", "subscribeTemplates.officialAccount"], ["applet", "subscribeTemplates.miniProgram"]]
        .flatMap(([account, label]) => [
          h("h2", { "data-account": account }, t(label)),
          h("div", { "data-account": account }, accountTable(items.filter((tp) => tp.account === account), load))]));
    }

    async function sync() {
      syncButton.disabled = true;
      try {
        const { jobId } = await api("POST", "wechat/subscribe-templates/sync");
        progress.replaceChildren();
        const job = await watchJob(jobId, { container: progress, label: t("subscribeTemplates.syncJob"), signal: ctx.signal });
        if (job.result) progress.append(h("p", { class: "muted small" }, t("templates.syncResult", job.result)));
        await load();
      } catch (err) {
        toastError(err, t("wechat.syncShort"));
      } finally {
        syncButton.disabled = false;
      }
    }

    root.append(pageHead(t("nav.subscribeTemplates"), { help: t("subscribeTemplates.help"), actions: [syncButton] }),
      progress, lists);
    await load();
  },
};
