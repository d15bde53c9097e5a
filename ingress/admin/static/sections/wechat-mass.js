// WeChat mass sends: a draft shows whom it reaches and what it says; only a second, explicit confirmation sends it.
import {
  api, badge, fmtTime, Form, h, modal, pagedTable, pageHead, t, toast, toastError, watchJob,
} from "../app.js";
import { accountQuery, accountSwitcher } from "../wechat/account.js";

function audienceText(audience) {
  if (audience.kind === "all") return t("mass.everyone");
  if (audience.kind === "tag") {
    return audience.count != null ? t("mass.tagCount", { name: audience.tagName, count: audience.count })
      : t("mass.tag", { name: audience.tagName });
  }
  return t("mass.openidCount", { count: audience.count });
}

function confirmStep(draft, onDone) {
  const progress = h("div", { class: "progress-area" });
  const send = h("button", { type: "button", class: "danger", onclick: confirm }, t("mass.confirmSend"));
  const drop = h("button", { type: "button", onclick: discard }, t("mass.dropDraft"));
  const handle = modal(t("mass.confirmTitle"), [
    h("p", {}, t("mass.cannotUndo"), " ", h("strong", { class: "mass-audience" }, audienceText(draft.preview.audience))),
    h("pre", { class: "mass-message" }, draft.preview.message),
    h("div", { class: "actions" }, drop, send), progress]);

  async function confirm() {
    send.disabled = drop.disabled = true;
    try {
      const { jobId } = await api("POST", `wechat/mass-sends/${draft.id}/confirm`);
      await watchJob(jobId, { container: progress, label: t("mass.job") });
      onDone();
    } catch (err) {
      toastError(err, t("mass.job"));
    }
  }

  async function discard() {
    try {
      await api("DELETE", `wechat/mass-sends/${draft.id}`);
      toast(t("mass.dropped"), "success");
      handle.close();
      onDone();
    } catch (err) {
      toastError(err, t("mass.dropDraft"));
    }
  }
}

function composeForm(onDraft) {
  return new Form({
    fields: [
      { name: "to", label: t("mass.to"), type: "select", options: [
        { value: "all", label: t("mass.everyone") }, { value: "tag", label: t("mass.toTag") }, { value: "openids", label: t("mass.toOpenids") }] },
      { name: "audience.tag", label: t("mass.tagName"), when: (v) => v.to === "tag" },
      { name: "audience.openids", label: t("mass.openids"), type: "list", wide: true, when: (v) => v.to === "openids" },
      { name: "message.msgtype", label: t("notifications.type"), type: "select", options: ["text", "mpnews", "image", "voice", "mpvideo"] },
      { name: "message.text.content", label: t("mass.text"), type: "textarea", wide: true, when: (v) => v["message.msgtype"] === "text" },
      { name: "mediaId", label: t("mass.mediaId"), when: (v) => v["message.msgtype"] !== "text" },
    ],
    submitLabel: t("mass.preview"),
    onSubmit: async (values) => {
      const { to, mediaId, ...body } = values;
      if (to === "all") body.audience = { all: true };
      const type = body.message.msgtype;
      if (type !== "text") body.message = { msgtype: type, [type]: { media_id: mediaId } };
      onDraft(await api("POST", "wechat/mass-sends", body, { query: accountQuery() }));
    },
  });
}

export default {
  id: "wechat-mass",
  title: t("nav.massSends"),
  group: t("platform.wechat"),
  async render(root, ctx) {
    const list = pagedTable({
      limit: 20,
      load: async (page, limit) => ({ ...(await api("GET", "wechat/mass-sends", undefined,
        { query: accountQuery({ limit, offset: (page - 1) * limit }), signal: ctx.signal })), page }),
      empty: t("mass.empty"),
      columns: [
        { label: "#", key: "id" },
        { label: t("mass.to"), render: (m) => audienceText(m.preview.audience) },
        { label: t("mass.message"), render: (m) => h("span", { class: "small" }, m.preview.message) },
        { label: t("notifications.status"), render: (m) => [badge(m.status), m.lastError ? h("div", { class: "job-error small" }, `${m.errcode ?? ""} ${m.lastError}`) : null] },
        { label: t("mass.report"), render: (m) => (m.report ? t("mass.reportLine", {
          sent: m.report.sentCount ?? "?", errors: m.report.errorCount ?? "?", total: m.report.totalCount ?? "?" }) : null) },
        { label: t("notifications.created"), render: (m) => fmtTime(m.createdAt) },
        { label: "", class: "actions-cell", render: (m) => (m.status === "draft"
          ? h("button", { type: "button", class: "small", onclick: () => confirmStep(m, () => list.reload()) }, t("mass.review")) : null) },
      ],
    });
    const form = composeForm((draft) => confirmStep(draft, () => list.reload(1)));
    root.append(pageHead(t("nav.massSends"), { help: t("mass.help"),
      actions: [accountSwitcher(() => ctx.refresh(), { signal: ctx.signal })] }), form.element, list.element);
  },
};
