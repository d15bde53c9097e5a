// Notifications: the delivery log (filters, pages), one delivery's attempts and the platform's answers, retry and
// recall, and a compose form for every channel and message type (the message in the platform's own shape).
import {
  api, ApiError, badge, clear, confirmDialog, fill, Form, fmtTime, h, pagedTable, pageHead, poll, pretty, table, toast,
  toastError,
} from "../app.js";

const FINAL = new Set(["sent", "failed", "dead"]);
const STATUSES = ["queued", "sending", "retrying", "sent", "failed", "dead"];
const CHANNELS = {
  dingtalk_robot: "DingTalk robot",
  wecom_robot: "WeCom robot",
  dingtalk_work: "DingTalk work notification",
  wecom_app: "WeCom app message",
  wechat_template: "WeChat template message",
};

// A 1x1 PNG, so that the media examples are valid as they stand.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const IMAGE = { media: { base64: PNG, filename: "pixel.png", contentType: "image/png" } };
const FILE = { media: { base64: btoa("hello from imbridge\n"), filename: "hello.txt", contentType: "text/plain" } };
const URL_EXAMPLE = "https://example.com/report";

// Structured fields for the everyday types; every other type is edited as JSON, starting from a valid example.
const text = (path, label = "Text") => [{ name: `message.${path}`, label, type: "textarea", rows: 4, required: true }];
const titled = (type, titleKey, textKey) => [
  { name: `message.${type}.${titleKey}`, label: "Title", required: true },
  { name: `message.${type}.${textKey}`, label: "Markdown", type: "textarea", rows: 5, required: true }];

/** channel -> msgtype -> structured fields, or a JSON example of the whole message. */
export const MESSAGE_TYPES = {
  dingtalk_robot: {
    text: text("text.content"),
    markdown: titled("markdown", "title", "text"),
    link: { msgtype: "link", link: { title: "Weekly report", text: "The report is ready.", messageUrl: URL_EXAMPLE } },
    actionCard: { msgtype: "actionCard", actionCard: { title: "Deploy crm?", text: "### crm 2.4\nready to go", singleTitle: "Open", singleURL: URL_EXAMPLE } },
    feedCard: { msgtype: "feedCard", feedCard: { links: [{ title: "Release notes", messageURL: URL_EXAMPLE, picURL: "https://example.com/p.png" }] } },
  },
  wecom_robot: {
    text: text("text.content"),
    markdown: text("markdown.content", "Markdown"),
    markdown_v2: text("markdown_v2.content", "Markdown"),
    image: { msgtype: "image", image: IMAGE },
    news: { msgtype: "news", news: { articles: [{ title: "Release notes", description: "crm 2.4", url: URL_EXAMPLE }] } },
    file: { msgtype: "file", file: FILE },
    voice: { msgtype: "voice", voice: { media: { base64: "<base64 of an .amr file>", filename: "voice.amr", contentType: "audio/amr" } } },
    template_card: { msgtype: "template_card", template_card: { card_type: "text_notice", main_title: { title: "Deploy", desc: "crm 2.4 is live" }, card_action: { type: 1, url: URL_EXAMPLE } } },
  },
  dingtalk_work: {
    text: text("text.content"),
    markdown: titled("markdown", "title", "text"),
    image: { msgtype: "image", image: IMAGE },
    voice: { msgtype: "voice", voice: { media: { base64: "<base64 of an .amr file>", filename: "voice.amr" }, duration: "10" } },
    file: { msgtype: "file", file: FILE },
    link: { msgtype: "link", link: { messageUrl: URL_EXAMPLE, picUrl: "@lADOADmaWMzazQKA", title: "Weekly report", text: "The report is ready." } },
    oa: { msgtype: "oa", oa: { head: { bgcolor: "FFBBBBBB", text: "imbridge" }, body: { title: "Leave approved", content: "3 days, from Monday" } } },
    action_card: { msgtype: "action_card", action_card: { title: "Deploy crm?", markdown: "### crm 2.4\nready to go", single_title: "Open", single_url: URL_EXAMPLE } },
  },
  wecom_app: {
    text: text("text.content"),
    markdown: text("markdown.content", "Markdown"),
    image: { msgtype: "image", image: IMAGE },
    voice: { msgtype: "voice", voice: { media: { base64: "<base64 of an .amr file>", filename: "voice.amr" } } },
    video: { msgtype: "video", video: { media: { base64: "<base64 of an .mp4 file>", filename: "clip.mp4" }, title: "Clip" } },
    file: { msgtype: "file", file: FILE },
    textcard: { msgtype: "textcard", textcard: { title: "Weekly report", description: "The report is ready.", url: URL_EXAMPLE, btntxt: "Open" } },
    news: { msgtype: "news", news: { articles: [{ title: "Release notes", description: "crm 2.4", url: URL_EXAMPLE }] } },
    mpnews: { msgtype: "mpnews", mpnews: { articles: [{ title: "Release notes", content: "<p>crm 2.4 is live</p>", thumb_media: IMAGE.media }] } },
    template_card: { msgtype: "template_card", template_card: { card_type: "text_notice", main_title: { title: "Deploy", desc: "crm 2.4 is live" }, card_action: { type: 1, url: URL_EXAMPLE } } },
  },
  wechat_template: {
    template: { touser: "oDemoFollower000000000000001", template_code: "deploy", url: URL_EXAMPLE, data: { first: { value: "crm 2.4 is live" } } },
  },
};

/** Where a delivery went, in a few words. */
function target(d) {
  if (d.robot) return h("span", {}, h("span", { class: "muted" }, "robot "), d.robot);
  return d.target || "—";
}

/** Follow one delivery until it is final, showing its status in `container`; resolves with the record. */
export async function trackDelivery(id, container, { signal } = {}) {
  const line = h("div", { class: "job-progress delivery-track", dataset: { delivery: id } });
  container.append(line);
  const show = (d) => {
    line.className = `job-progress delivery-track job-${d.status === "sent" ? "succeeded" : FINAL.has(d.status) ? "failed" : "running"}`;
    fill(line, FINAL.has(d.status) ? null : h("span", { class: "spinner", "aria-hidden": "true" }),
      h("span", {}, "Notification "), h("a", { href: `#/notifications/${encodeURIComponent(id)}` }, id.slice(0, 8)), h("span", {}, ": "),
      h("span", { class: "delivery-status", dataset: { status: d.status } }, badge(d.status)),
      d.errcode ? h("span", { class: "job-error" }, ` errcode ${d.errcode}`) : null,
      d.lastError ? h("span", { class: "job-error" }, ` ${d.lastError}`) : null);
  };
  show({ status: "queued" });
  try {
    const record = await poll(() => api("GET", `notifications/${encodeURIComponent(id)}`, undefined, { signal }),
      (d) => FINAL.has(d.status), { interval: 500, signal, onUpdate: show });
    if (record.status === "sent") toast("Notification sent", "success");
    else toast(`Notification ${record.status}: ${record.lastError || record.errcode || ""}`, "error");
    return record;
  } catch (err) {
    if (err.name !== "AbortError") toastError(err);
    return null;
  }
}

// ------------------------------------------------------------------------------------------------ list

function listView(root, ctx) {
  const query = ctx.query;
  const filters = new Form({
    className: "filters-form",
    fields: [
      { name: "channel", label: "Channel", type: "select", options: [{ value: "", label: "all channels" }, ...Object.entries(CHANNELS).map(([value, label]) => ({ value, label }))] },
      { name: "status", label: "Status", type: "select", options: [{ value: "", label: "any status" }, ...STATUSES] },
      { name: "robot", label: "Robot code", placeholder: "any" },
      { name: "since", label: "Since", type: "datetime" },
      { name: "until", label: "Until", type: "datetime" },
    ],
    values: { ...query, since: localInput(query.since), until: localInput(query.until) },
    submitLabel: "Filter",
    extraActions: [h("button", { type: "button", onclick: () => ctx.navigate("#/notifications") }, "Clear")],
    onSubmit: async (values) => {
      const search = new URLSearchParams(values).toString();
      ctx.navigate(`#/notifications${search ? `?${search}` : ""}`);
    },
  });
  const log = pagedTable({
    limit: 25,
    empty: "No notifications match.",
    columns: [
      { label: "Created", render: (d) => fmtTime(d.createdAt) },
      { label: "Channel", render: (d) => CHANNELS[d.channel] || d.channel },
      { label: "Target", render: target },
      { label: "Type", key: "msgtype" },
      { label: "Status", render: (d) => badge(d.status) },
      { label: "Attempts", key: "attempts", class: "num" },
      { label: "Last error", render: (d) => d.lastError || (d.errcode ? `errcode ${d.errcode}` : "") },
    ],
    onRow: (d) => ctx.navigate(`#/notifications/${encodeURIComponent(d.id)}`),
    load: async (page, limit) => {
      const answer = await api("GET", "notifications", undefined, { query: { ...query, page, limit }, signal: ctx.signal });
      return answer;
    },
  });
  root.append(
    pageHead("Notifications", { help: "Every delivery from request to the platform's last word. Click one for its attempts.",
      actions: [
        h("button", { type: "button", onclick: () => log.reload() }, "Refresh"),
        h("button", { type: "button", class: "primary", id: "compose", onclick: () => ctx.navigate("#/notifications/new") }, "Compose"),
      ] }),
    h("div", { class: "card" }, filters.element), log.element);
  const timer = setInterval(() => { if (!document.hidden) log.reload(); }, 5000);
  return () => clearInterval(timer);
}

/** An ISO time from the hash, as a datetime-local input wants it. */
function localInput(iso) {
  if (!iso) return undefined;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

// ------------------------------------------------------------------------------------------------ detail

async function detailView(root, ctx, id) {
  const body = h("div", {});
  root.append(pageHead("Notification", { help: id, actions: [
    h("button", { type: "button", onclick: () => ctx.navigate("#/notifications") }, "‹ Back to the log")] }), body);

  async function act(path, verb) {
    try {
      await api("POST", `notifications/${encodeURIComponent(id)}/${path}`);
      toast(`${verb} requested`, "success");
      refresh();
    } catch (err) { toastError(err); }
  }

  function render(d) {
    const actions = [];
    if (d.status === "failed" || d.status === "dead") {
      actions.push(h("button", { type: "button", class: "primary", id: "retry", onclick: () => act("retry", "Retry") }, "Retry"));
    }
    if ((d.channel === "dingtalk_work" || d.channel === "wecom_app") && d.status === "sent" && d.recallStatus !== "recalled") {
      actions.push(h("button", { type: "button", class: "danger", id: "recall", onclick: async () => {
        if (await confirmDialog("Withdraw this work notification from its recipients?", { confirm: "Recall" })) act("recall", "Recall");
      } }, "Recall"));
    }
    body.replaceChildren(
      h("div", { class: "grid" },
        h("div", { class: "card" }, h("h2", {}, "Delivery ", h("span", { id: "detail-status" }, badge(d.status))),
          h("dl", { class: "kv" },
            h("dt", {}, "Channel"), h("dd", {}, CHANNELS[d.channel] || d.channel),
            h("dt", {}, "Target"), h("dd", {}, target(d)),
            d.to ? [h("dt", {}, "Recipients"), h("dd", {}, h("code", {}, JSON.stringify(d.to)))] : null,
            h("dt", {}, "Type"), h("dd", {}, d.msgtype || "—"),
            h("dt", {}, "Attempts"), h("dd", {}, `${d.attempts} (${d.failedAttempts} failed)`),
            h("dt", {}, "Created"), h("dd", {}, fmtTime(d.createdAt)),
            h("dt", {}, "Sent"), h("dd", {}, fmtTime(d.sentAt)),
            h("dt", {}, "Finished"), h("dd", {}, fmtTime(d.finishedAt)),
            d.nextAttemptAt ? [h("dt", {}, "Next attempt"), h("dd", {}, fmtTime(d.nextAttemptAt))] : null,
            d.errcode ? [h("dt", {}, "errcode"), h("dd", { class: "job-error" }, String(d.errcode))] : null,
            d.lastError ? [h("dt", {}, "Last error"), h("dd", { class: "job-error" }, d.lastError)] : null,
            d.recallStatus ? [h("dt", {}, "Recall"), h("dd", {}, badge(d.recallStatus))] : null,
            h("dt", {}, "Source"), h("dd", {}, d.source || "—"),
            d.idempotencyKey ? [h("dt", {}, "Idempotency key"), h("dd", {}, d.idempotencyKey)] : null),
          actions.length ? h("div", { class: "actions" }, actions) : null),
        h("div", { class: "card" }, h("h2", {}, "The platform's answer"),
          Object.keys(d.answer || {}).length ? pretty(d.answer) : h("p", { class: "muted" }, "Nothing beyond success was kept."),
          d.problems ? [h("h3", {}, "Problems"), h("ul", { class: "form-error" }, d.problems.map((p) => h("li", {}, `${p.field}: ${p.message}`)))] : null)),
      h("div", { class: "card" }, h("h2", {}, "Attempts"),
        table([
          { label: "#", key: "number", class: "num" },
          { label: "Started", render: (a) => fmtTime(a.startedAt) },
          { label: "Finished", render: (a) => fmtTime(a.finishedAt) },
          { label: "Outcome", render: (a) => badge(a.outcome) },
          { label: "errcode", key: "errcode" },
          { label: "Platform's message", key: "errmsg" },
        ], d.history || [], { empty: "No attempt yet." })),
      h("div", { class: "card" }, h("h2", {}, "Message"), pretty(d.message)));
  }

  let timer = null;
  async function refresh() {
    try {
      const d = await api("GET", `notifications/${encodeURIComponent(id)}`, undefined, { signal: ctx.signal });
      render(d);
      clearTimeout(timer);
      if (!FINAL.has(d.status)) timer = setTimeout(refresh, 1000);
    } catch (err) {
      if (err.name === "AbortError") return;
      body.replaceChildren(h("p", { class: "card form-error" }, err.message));
      if (!(err instanceof ApiError && err.status === 404)) toastError(err);
    }
  }
  await refresh();
  return () => clearTimeout(timer);
}

// ------------------------------------------------------------------------------------------------ compose

async function robotCodes(platform, signal) {
  try {
    const { items } = await api("GET", `robots/${platform}`, undefined, { signal });
    return items.map((r) => ({ value: r.code, label: `${r.code} · ${r.name}${r.enabled ? "" : " (disabled)"}` }));
  } catch (err) {
    if (err.name !== "AbortError") toastError(err);
    return [];
  }
}

async function composeView(root, ctx) {
  const robots = { dingtalk_robot: await robotCodes("dingtalk", ctx.signal), wecom_robot: await robotCodes("wecom", ctx.signal) };
  const state = { channel: ctx.query.channel in CHANNELS ? ctx.query.channel : "dingtalk_robot", msgtype: ctx.query.msgtype };
  const channelSelect = h("select", { id: "compose-channel", name: "channel" },
    Object.entries(CHANNELS).map(([value, label]) => h("option", { value, selected: value === state.channel }, label)));
  const typeSelect = h("select", { id: "compose-msgtype", name: "msgtype" });
  const formBox = h("div", {});
  const tracking = h("div", { class: "tracking" });

  function fieldsFor(channel, msgtype) {
    const fields = [];
    if (channel === "dingtalk_robot" || channel === "wecom_robot") {
      fields.push(robots[channel].length
        ? { name: "robot", label: "Robot", type: "select", options: robots[channel], required: true }
        : { name: "robot", label: "Robot code", required: true, help: "no robot of this platform yet: add one under Robots" });
    }
    if (channel === "dingtalk_work" || channel === "wecom_app") {
      fields.push(
        { name: "to.users", label: "Users", type: "list", placeholder: channel === "dingtalk_work" ? "manager01, user02" : "zhangsan, lisi", help: "user ids, comma separated", aliases: ["to"] },
        { name: "to.departments", label: "Departments", type: "list", placeholder: "1, 2", help: "department ids" });
      if (channel === "wecom_app") fields.push({ name: "to.tags", label: "Tags", type: "list", placeholder: "1", help: "tag ids" });
      fields.push({ name: "to.all", label: "Everyone in the organisation", type: "checkbox" });
    }
    const shape = MESSAGE_TYPES[channel][msgtype];
    if (Array.isArray(shape)) {
      fields.push({ name: "message.msgtype", type: "hidden", value: msgtype }, ...shape);
    } else {
      fields.push({ name: "message", label: "Message (the platform's own JSON)", type: "json", rows: 12, value: shape, required: true,
        help: "Edit the example: its fields are the platform's. Media may be given as {\"media\": {\"base64\", \"filename\"}} or a media_id." });
    }
    if (channel !== "wechat_template") {
      fields.push({ name: "template.code", label: "Message template (optional)", placeholder: "deploy", help: "fills the main text field from a stored template", aliases: ["template"] },
        { name: "template.variables", label: "Template variables", type: "json", rows: 3, placeholder: '{"app": "crm"}', when: (v) => Boolean(v["template.code"]) });
    }
    return fields;
  }

  function build() {
    const types = Object.keys(MESSAGE_TYPES[state.channel]);
    if (!types.includes(state.msgtype)) state.msgtype = types[0];
    typeSelect.replaceChildren(...types.map((t) => h("option", { value: t, selected: t === state.msgtype }, t)));
    typeSelect.disabled = types.length === 1;
    const form = new Form({
      fields: fieldsFor(state.channel, state.msgtype),
      submitLabel: "Send",
      onSubmit: async (values) => {
        if (values.to && values.to.all === false) delete values.to.all;
        const accepted = await api("POST", "notifications", { channel: state.channel, ...values });
        toast("Accepted; following its delivery", "info", 2500);
        trackDelivery(accepted.id, tracking, { signal: ctx.signal });
      },
    });
    formBox.replaceChildren(form.element);
  }

  channelSelect.addEventListener("change", () => { state.channel = channelSelect.value; state.msgtype = undefined; build(); });
  typeSelect.addEventListener("change", () => { state.msgtype = typeSelect.value; build(); });
  build();
  root.append(
    pageHead("Compose a notification", { help: "Sent through the REST API like any other producer's; watch it below.",
      actions: [h("button", { type: "button", onclick: () => ctx.navigate("#/notifications") }, "‹ Back to the log")] }),
    h("div", { class: "card" },
      h("div", { class: "form-fields compose-head" },
        h("label", { class: "field" }, h("span", { class: "label" }, "Channel"), channelSelect),
        h("label", { class: "field" }, h("span", { class: "label" }, "Message type"), typeSelect)),
      h("hr", { class: "sep" }), formBox),
    tracking);
}

export default {
  id: "notifications",
  title: "Notifications",
  group: "Messaging",
  render(root, ctx) {
    const [first] = ctx.params;
    clear(root);
    if (first === "new") return composeView(root, ctx);
    if (first) return detailView(root, ctx, first);
    return listView(root, ctx);
  },
};
