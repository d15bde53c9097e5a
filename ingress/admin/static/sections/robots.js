// Robots: DingTalk and WeCom group robots (admin API /api/v1/robots/{platform}). Credentials are write-only:
// the API answers with masked values, and the page never shows anything else.
import {
  api, badge, confirmDialog, Form, fmtTime, h, modal, pageHead, table, toast, toastError,
} from "../app.js";
import { trackDelivery } from "./notifications.js";

const PLATFORMS = {
  dingtalk: {
    label: "DingTalk", channel: "dingtalk_robot",
    credentials: (r) => [h("div", {}, h("span", { class: "muted" }, "token "), h("code", {}, r.accessToken)),
      h("div", {}, h("span", { class: "muted" }, "secret "), r.secret ? h("code", {}, r.secret) : h("span", { class: "muted" }, "none (unsigned)"))],
    createFields: [
      { name: "accessToken", label: "Access token", type: "password", required: true, help: "the access_token of the robot's webhook URL" },
      { name: "secret", label: "Sign secret", type: "password", placeholder: "SEC…", help: "when the robot uses 加签 security" },
    ],
    editFields: (r) => [
      { name: "accessToken", label: "Access token", type: "password", placeholder: r.accessToken, help: "leave empty to keep the current one" },
      { name: "secret", label: "Sign secret", type: "password", placeholder: r.secret || "SEC…", help: "leave empty to keep the current one" },
      { name: "removeSecret", label: "Remove the sign secret (robot without 加签)", type: "checkbox", when: () => Boolean(r.secret) },
    ],
  },
  wecom: {
    label: "WeCom", channel: "wecom_robot",
    credentials: (r) => h("div", {}, h("span", { class: "muted" }, "key "), h("code", {}, r.key)),
    createFields: [
      { name: "key", label: "Webhook key", type: "password", required: true, help: "the key= of the robot's webhook URL" },
    ],
    editFields: (r) => [
      { name: "key", label: "Webhook key", type: "password", placeholder: r.key, help: "leave empty to keep the current one" },
    ],
  },
};

const NAME = { name: "name", label: "Name", required: true, placeholder: "Ops alerts" };
const TAIL = [
  { name: "remark", label: "Remark", type: "textarea", rows: 2, keepEmpty: true },
  { name: "enabled", label: "Enabled", type: "checkbox", value: true },
];

function robotForm(platform, robot, onDone) {
  const spec = PLATFORMS[platform];
  const editing = Boolean(robot);
  const fields = editing
    ? [NAME, ...spec.editFields(robot), ...TAIL]
    : [{ name: "code", label: "Code", required: true, placeholder: "ops-alerts", help: "how senders name the robot (letters, digits, . _ -)" },
      NAME, ...spec.createFields, ...TAIL];
  const form = new Form({
    fields,
    // Credentials are never prefilled: the masked value is not the secret.
    values: robot ? { name: robot.name, remark: robot.remark, enabled: robot.enabled } : { enabled: true },
    submitLabel: editing ? "Save changes" : "Add robot",
    onSubmit: async (values) => {
      if (values.removeSecret) values.secret = "";
      delete values.removeSecret;
      const saved = editing
        ? await api("PATCH", `robots/${platform}/${encodeURIComponent(robot.code)}`, values)
        : await api("POST", `robots/${platform}`, values);
      toast(`${spec.label} robot '${saved.code}' ${editing ? "saved" : "added"}`, "success");
      onDone(saved);
    },
  });
  return form;
}

function testMessage(platform, robot) {
  const spec = PLATFORMS[platform];
  const result = h("div", { class: "test-result" });
  const form = new Form({
    fields: [{ name: "message.text.content", label: "Text", type: "textarea", rows: 3, required: true,
      value: `Test message from the imbridge admin page (${new Date().toLocaleString(undefined, { hour12: false })})` }],
    submitLabel: "Send test message",
    onSubmit: async (values) => {
      const body = { channel: spec.channel, robot: robot.code, message: { msgtype: "text", ...values.message } };
      const accepted = await api("POST", "notifications", body);
      result.replaceChildren();
      trackDelivery(accepted.id, result);
    },
  });
  modal(`Test ${spec.label} robot '${robot.code}'`, [
    h("p", { class: "muted" }, "Sends a real text message through the robot, recorded like any notification."),
    form.element, result]);
}

export default {
  id: "robots",
  title: "Robots",
  group: "Messaging",
  async render(root, ctx) {
    const platform = PLATFORMS[ctx.params[0]] ? ctx.params[0] : "dingtalk";
    const spec = PLATFORMS[platform];
    const list = h("div", { class: "robot-list" });

    async function load() {
      try {
        const { items } = await api("GET", `robots/${platform}`, undefined, { signal: ctx.signal });
        list.replaceChildren(table([
          { label: "Code", class: "nowrap", render: (r) => h("strong", {}, r.code) },
          { label: "Name", key: "name" },
          { label: "Credentials", render: spec.credentials },
          { label: "State", render: (r) => badge(r.enabled ? "enabled" : "disabled") },
          { label: "Remark", key: "remark" },
          { label: "Updated", render: (r) => fmtTime(r.updatedAt) },
          { label: "", class: "actions-cell", render: (r) => [
            h("button", { type: "button", class: "small", dataset: { action: "test" }, disabled: !r.enabled,
              title: r.enabled ? "send a test message" : "enable the robot first", onclick: () => testMessage(platform, r) }, "Send test"),
            h("button", { type: "button", class: "small", dataset: { action: "edit" }, onclick: () => edit(r) }, "Edit"),
            h("button", { type: "button", class: "small", dataset: { action: "toggle" }, onclick: () => toggle(r) }, r.enabled ? "Disable" : "Enable"),
            h("button", { type: "button", class: "small danger", dataset: { action: "delete" }, onclick: () => remove(r) }, "Delete"),
          ] },
        ], items, { empty: `No ${spec.label} robots yet. Add one with the robot's webhook credentials.` }));
        for (const row of list.querySelectorAll("tbody tr")) row.dataset.code = row.querySelector("strong").textContent;
      } catch (err) {
        if (err.name !== "AbortError") { list.replaceChildren(h("p", { class: "form-error" }, err.message)); toastError(err); }
      }
    }

    function create() {
      const handle = modal(`Add a ${spec.label} robot`, robotForm(platform, null, () => { handle.close(); load(); }).element);
    }

    function edit(robot) {
      const handle = modal(`Edit ${spec.label} robot '${robot.code}'`, robotForm(platform, robot, () => { handle.close(); load(); }).element);
    }

    async function toggle(robot) {
      try {
        await api("PATCH", `robots/${platform}/${encodeURIComponent(robot.code)}`, { enabled: !robot.enabled });
        toast(`'${robot.code}' ${robot.enabled ? "disabled" : "enabled"}`, "success");
        load();
      } catch (err) { toastError(err); }
    }

    async function remove(robot) {
      if (!(await confirmDialog(`Delete the ${spec.label} robot '${robot.code}'? Senders naming it get a 422 afterwards.`, { confirm: "Delete" }))) return;
      try {
        await api("DELETE", `robots/${platform}/${encodeURIComponent(robot.code)}`);
        toast(`'${robot.code}' deleted`, "success");
        load();
      } catch (err) { toastError(err); }
    }

    root.append(
      pageHead("Robots", { help: "Group robots that notifications can name by code. Credentials are stored encrypted and only ever shown masked.",
        actions: [h("button", { type: "button", class: "primary", id: "add-robot", onclick: create }, `Add ${spec.label} robot`)] }),
      h("div", { class: "tabs" }, Object.entries(PLATFORMS).map(([id, p]) => h("button", {
        type: "button", class: id === platform ? "active" : undefined, dataset: { platform: id },
        onclick: () => ctx.navigate(`#/robots/${id}`) }, p.label))),
      list);
    await load();
  },
};
