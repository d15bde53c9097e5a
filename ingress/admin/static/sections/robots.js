// Robots: DingTalk and WeCom group robots (admin API /api/v1/robots/{platform}). Credentials are write-only:
// the API answers with masked values, and the page never shows anything else.
import {
  api, badge, confirmDialog, Form, fmtTime, h, modal, pageHead, t, table, toast, toastError,
} from "../app.js";
import { trackDelivery } from "./notifications.js";

const PLATFORMS = {
  dingtalk: {
    label: t("platform.dingtalk"), channel: "dingtalk_robot",
    credentials: (r) => [h("div", {}, h("span", { class: "muted" }, "token "), h("code", {}, r.accessToken)),
      h("div", {}, h("span", { class: "muted" }, `${t("robots.secretWord")} `), r.secret ? h("code", {}, r.secret) : h("span", { class: "muted" }, t("robots.unsigned")))],
    createFields: [
      { name: "accessToken", label: t("robots.accessToken"), type: "password", required: true, help: t("robots.accessTokenHelp") },
      { name: "secret", label: t("robots.signSecret"), type: "password", placeholder: "SEC…", help: t("robots.signSecretHelp") },
    ],
    editFields: (r) => [
      { name: "accessToken", label: t("robots.accessToken"), type: "password", placeholder: r.accessToken, help: t("robots.keepCurrent") },
      { name: "secret", label: t("robots.signSecret"), type: "password", placeholder: r.secret || "SEC…", help: t("robots.keepCurrent") },
      { name: "removeSecret", label: t("robots.removeSecret"), type: "checkbox", when: () => Boolean(r.secret) },
    ],
  },
  wecom: {
    label: t("platform.wecom"), channel: "wecom_robot",
    credentials: (r) => h("div", {}, h("span", { class: "muted" }, "key "), h("code", {}, r.key)),
    createFields: [
      { name: "key", label: t("robots.webhookKey"), type: "password", required: true, help: t("robots.webhookKeyHelp") },
    ],
    editFields: (r) => [
      { name: "key", label: t("robots.webhookKey"), type: "password", placeholder: r.key, help: t("robots.keepCurrent") },
    ],
  },
};

const NAME = { name: "name", label: t("robots.name"), required: true, placeholder: t("robots.namePlaceholder") };
const TAIL = [
  { name: "remark", label: t("robots.remark"), type: "textarea", rows: 2, keepEmpty: true },
  { name: "enabled", label: t("robots.enabled"), type: "checkbox", value: true },
];

function robotForm(platform, robot, onDone) {
  const spec = PLATFORMS[platform];
  const editing = Boolean(robot);
  const fields = editing
    ? [NAME, ...spec.editFields(robot), ...TAIL]
    : [{ name: "code", label: t("robots.code"), required: true, placeholder: "ops-alerts", help: t("robots.codeHelp") },
      NAME, ...spec.createFields, ...TAIL];
  const form = new Form({
    fields,
    // Credentials are never prefilled: the masked value is not the secret.
    values: robot ? { name: robot.name, remark: robot.remark, enabled: robot.enabled } : { enabled: true },
    submitLabel: editing ? t("robots.saveChanges") : t("robots.add"),
    onSubmit: async (values) => {
      if (values.removeSecret) values.secret = "";
      delete values.removeSecret;
      const saved = editing
        ? await api("PATCH", `robots/${platform}/${encodeURIComponent(robot.code)}`, values)
        : await api("POST", `robots/${platform}`, values);
      toast(t(editing ? "robots.savedToast" : "robots.addedToast", { platform: spec.label, code: saved.code }), "success");
      onDone(saved);
    },
  });
  return form;
}

function testMessage(platform, robot) {
  const spec = PLATFORMS[platform];
  const result = h("div", { class: "test-result" });
  const form = new Form({
    fields: [{ name: "message.text.content", label: t("compose.text"), type: "textarea", rows: 3, required: true,
      value: t("robots.testText", { time: fmtTime(new Date().toISOString()) }) }],
    submitLabel: t("robots.sendTestMessage"),
    onSubmit: async (values) => {
      const body = { channel: spec.channel, robot: robot.code, message: { msgtype: "text", ...values.message } };
      const accepted = await api("POST", "notifications", body);
      result.replaceChildren();
      trackDelivery(accepted.id, result);
    },
  });
  modal(t("robots.testTitle", { platform: spec.label, code: robot.code }), [
    h("p", { class: "muted" }, t("robots.testHelp")),
    form.element, result]);
}

export default {
  id: "robots",
  title: t("nav.robots"),
  group: t("nav.groupMessaging"),
  async render(root, ctx) {
    const platform = PLATFORMS[ctx.params[0]] ? ctx.params[0] : "dingtalk";
    const spec = PLATFORMS[platform];
    const list = h("div", { class: "robot-list" });

    async function load() {
      try {
        const { items } = await api("GET", `robots/${platform}`, undefined, { signal: ctx.signal });
        list.replaceChildren(table([
          { label: t("robots.code"), class: "nowrap", render: (r) => h("strong", {}, r.code) },
          { label: t("robots.name"), key: "name" },
          { label: t("robots.credentials"), render: spec.credentials },
          { label: t("robots.state"), render: (r) => badge(r.enabled ? "enabled" : "disabled") },
          { label: t("robots.remark"), key: "remark" },
          { label: t("robots.updated"), class: "nowrap", render: (r) => fmtTime(r.updatedAt) },
          { label: "", class: "actions-cell", render: (r) => [
            h("button", { type: "button", class: "small", dataset: { action: "test" }, disabled: !r.enabled,
              title: r.enabled ? t("robots.sendTestTitle") : t("robots.enableFirst"), onclick: () => testMessage(platform, r) }, t("robots.sendTest")),
            h("button", { type: "button", class: "small", dataset: { action: "edit" }, onclick: () => edit(r) }, t("common.edit")),
            h("button", { type: "button", class: "small", dataset: { action: "toggle" }, onclick: () => toggle(r) }, r.enabled ? t("robots.disable") : t("robots.enable")),
            h("button", { type: "button", class: "small danger", dataset: { action: "delete" }, onclick: () => remove(r) }, t("common.delete")),
          ] },
        ], items, { empty: t("robots.empty", { platform: spec.label }) }));
        for (const row of list.querySelectorAll("tbody tr")) row.dataset.code = row.querySelector("strong").textContent;
      } catch (err) {
        if (err.name !== "AbortError") { list.replaceChildren(h("p", { class: "form-error" }, err.message)); toastError(err); }
      }
    }

    function create() {
      const handle = modal(t("robots.addTitle", { platform: spec.label }), robotForm(platform, null, () => { handle.close(); load(); }).element);
    }

    function edit(robot) {
      const handle = modal(t("robots.editTitle", { platform: spec.label, code: robot.code }), robotForm(platform, robot, () => { handle.close(); load(); }).element);
    }

    async function toggle(robot) {
      try {
        await api("PATCH", `robots/${platform}/${encodeURIComponent(robot.code)}`, { enabled: !robot.enabled });
        toast(t(robot.enabled ? "robots.disabledToast" : "robots.enabledToast", { code: robot.code }), "success");
        load();
      } catch (err) { toastError(err); }
    }

    async function remove(robot) {
      if (!(await confirmDialog(t("robots.deleteAsk", { platform: spec.label, code: robot.code }), { confirm: t("common.delete") }))) return;
      try {
        await api("DELETE", `robots/${platform}/${encodeURIComponent(robot.code)}`);
        toast(t("robots.deletedToast", { code: robot.code }), "success");
        load();
      } catch (err) { toastError(err); }
    }

    root.append(
      pageHead(t("nav.robots"), { help: t("robots.help"),
        actions: [h("button", { type: "button", class: "primary", id: "add-robot", onclick: create }, t("robots.addButton", { platform: spec.label }))] }),
      h("div", { class: "tabs" }, Object.entries(PLATFORMS).map(([id, p]) => h("button", {
        type: "button", class: id === platform ? "active" : undefined, dataset: { platform: id },
        onclick: () => ctx.navigate(`#/robots/${id}`) }, p.label))),
      list);
    await load();
  },
};
