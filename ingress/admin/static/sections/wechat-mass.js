// WeChat mass sends: a draft shows whom it reaches and what it says; only a second, explicit confirmation sends it.
import {
  api, badge, fmtTime, Form, h, modal, pagedTable, pageHead, toast, toastError, watchJob,
} from "../app.js";

function audienceText(audience) {
  if (audience.kind === "all") return "every follower";
  if (audience.kind === "tag") return `tag “${audience.tagName}”${audience.count != null ? ` (${audience.count} followers)` : ""}`;
  return `${audience.count} openids`;
}

function confirmStep(draft, onDone) {
  const progress = h("div", { class: "progress-area" });
  const send = h("button", { type: "button", class: "danger", onclick: confirm }, "Confirm and send");
  const drop = h("button", { type: "button", onclick: discard }, "Drop the draft");
  const handle = modal("Confirm the mass send", [
    h("p", {}, "A mass send cannot be taken back. It goes to ", h("strong", { class: "mass-audience" }, audienceText(draft.preview.audience)), ":"),
    h("pre", { class: "mass-message" }, draft.preview.message),
    h("div", { class: "actions" }, drop, send), progress]);

  async function confirm() {
    send.disabled = drop.disabled = true;
    try {
      const { jobId } = await api("POST", `wechat/mass-sends/${draft.id}/confirm`);
      await watchJob(jobId, { container: progress, label: "Mass send" });
      onDone();
    } catch (err) {
      toastError(err, "Mass send");
    }
  }

  async function discard() {
    try {
      await api("DELETE", `wechat/mass-sends/${draft.id}`);
      toast("Draft dropped", "success");
      handle.close();
      onDone();
    } catch (err) {
      toastError(err, "Drop");
    }
  }
}

function composeForm(onDraft) {
  return new Form({
    fields: [
      { name: "to", label: "To", type: "select", options: [
        { value: "all", label: "every follower" }, { value: "tag", label: "a tag" }, { value: "openids", label: "openids" }] },
      { name: "audience.tag", label: "Tag name", when: (v) => v.to === "tag" },
      { name: "audience.openids", label: "Openids (2 or more, comma separated)", type: "list", wide: true, when: (v) => v.to === "openids" },
      { name: "message.msgtype", label: "Type", type: "select", options: ["text", "mpnews", "image", "voice", "mpvideo"] },
      { name: "message.text.content", label: "Text", type: "textarea", wide: true, when: (v) => v["message.msgtype"] === "text" },
      { name: "mediaId", label: "Media id (permanent material)", when: (v) => v["message.msgtype"] !== "text" },
    ],
    submitLabel: "Preview",
    onSubmit: async (values) => {
      const { to, mediaId, ...body } = values;
      if (to === "all") body.audience = { all: true };
      const type = body.message.msgtype;
      if (type !== "text") body.message = { msgtype: type, [type]: { media_id: mediaId } };
      onDraft(await api("POST", "wechat/mass-sends", body));
    },
  });
}

export default {
  id: "wechat-mass",
  title: "Mass sends",
  group: "WeChat",
  async render(root, ctx) {
    const list = pagedTable({
      limit: 20,
      load: async (page, limit) => ({ ...(await api("GET", "wechat/mass-sends", undefined,
        { query: { limit, offset: (page - 1) * limit }, signal: ctx.signal })), page }),
      empty: "No mass sends yet.",
      columns: [
        { label: "#", key: "id" },
        { label: "To", render: (m) => audienceText(m.preview.audience) },
        { label: "Message", render: (m) => h("span", { class: "small" }, m.preview.message) },
        { label: "Status", render: (m) => [badge(m.status), m.lastError ? h("div", { class: "job-error small" }, `${m.errcode ?? ""} ${m.lastError}`) : null] },
        { label: "Report", render: (m) => (m.report ? `${m.report.sentCount ?? "?"} sent / ${m.report.errorCount ?? "?"} errors of ${m.report.totalCount ?? "?"}` : null) },
        { label: "Created", render: (m) => fmtTime(m.createdAt) },
        { label: "", class: "actions-cell", render: (m) => (m.status === "draft"
          ? h("button", { type: "button", class: "small", onclick: () => confirmStep(m, () => list.reload()) }, "Review…") : null) },
      ],
    });
    const form = composeForm((draft) => confirmStep(draft, () => list.reload(1)));
    root.append(pageHead("Mass sends", {
      help: "To every follower, a tag or a list of openids. A draft is previewed first; nothing is sent until you confirm." }),
    form.element, list.element);
  },
};
