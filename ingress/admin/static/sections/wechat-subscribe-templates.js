// WeChat subscription templates: the Official Account's (wxaapi/newtmpl/gettemplate) and the mini-program's, synced
// by a job; their data keys (what a send must fill) shown; the local fields (code, name, enabled) edited.
import { api, badge, fmtTime, h, modal, pageHead, t, table } from "../app.js";
import { accountQuery, accountSwitcher } from "../wechat/account.js";
import { editLocalFields, syncButton } from "../wechat/synced-templates.js";

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
    const sync = syncButton("wechat/subscribe-templates/sync",
      { progress, jobLabel: t("subscribeTemplates.syncJob"), signal: ctx.signal, reload: () => load(), query: accountQuery });

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
          h("button", { type: "button", class: "small", onclick: () => editLocalFields(tp, `wechat/subscribe-templates/${tp.id}`, load, { codePlaceholder: "ticket-progress" }) }, t("common.edit"))] },
      ], items, { empty: t("subscribeTemplates.empty") });
    }

    async function load() {
      const { items } = await api("GET", "wechat/subscribe-templates", undefined, { query: accountQuery(), signal: ctx.signal });
      lists.replaceChildren(...[["oa", "subscribeTemplates.officialAccount"], ["applet", "subscribeTemplates.miniProgram"]]
        .flatMap(([app, label]) => [
          h("h2", { "data-app": app }, t(label)),
          h("div", { "data-app": app }, accountTable(items.filter((tp) => tp.app === app), load))]));
    }

    root.append(pageHead(t("nav.subscribeTemplates"), { help: t("subscribeTemplates.help"), actions: [accountSwitcher(() => ctx.refresh(), { signal: ctx.signal, platforms: ["wechat", "wechat-applet"] }), sync] }),
      progress, lists);
    await load();
  },
};
