// Notifications: the delivery log (filters, pages), one delivery's attempts and the platform's answers, retry,
// recall and a DingTalk OA message's status bar, a compose form for every channel and message type (the message in the platform's own shape), and a
// fan-out form: one message to several targets.
import {
  api, ApiError, badge, clear, confirmDialog, fill, Form, fmtTime, h, modal, pagedTable, pageHead, poll, pretty, statusLabel,
  t, table, toast, toastError,
} from "../app.js";

const FINAL = new Set(["sent", "failed", "dead"]);
const STATUSES = ["queued", "sending", "retrying", "sent", "failed", "dead"];
const CHANNELS = Object.fromEntries(["dingtalk_robot", "wecom_robot", "dingtalk_work", "wecom_app", "wechat_template",
  "wechat_custom", "wechat_subscribe", "applet_subscribe", "dingtalk_group", "dingtalk_robot_users", "wecom_appchat"]
  .map((channel) => [channel, t(`channel.${channel}`)]));

// A 1x1 PNG, so that the media examples are valid as they stand.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const IMAGE = { media: { base64: PNG, filename: "pixel.png", contentType: "image/png" } };
const FILE = { media: { base64: btoa("hello from imbridge\n"), filename: "hello.txt", contentType: "text/plain" } };
const URL_EXAMPLE = "https://example.com/report";
/** The examples' words, in the page's language (what an operator would write). */
const EX = Object.fromEntries(["report", "reportReady", "deployAsk", "readyToGo", "open", "releaseNotes", "deploy", "isLive",
  "leaveApproved", "leaveDays", "clip"].map((key) => [key, t(`example.${key}`)]));

// Structured fields for the everyday types; every other type is edited as JSON, starting from a valid example.
const text = (path, label = t("compose.text")) => [{ name: `message.${path}`, label, type: "textarea", rows: 4, required: true }];
const titled = (type, titleKey, textKey) => [
  { name: `message.${type}.${titleKey}`, label: t("compose.title"), required: true },
  { name: `message.${type}.${textKey}`, label: t("compose.markdown"), type: "textarea", rows: 5, required: true }];

/** The enterprise robot's message templates (msgKey), each as a whole message. */
const ENTERPRISE_ROBOT = {
  sampleText: { msgKey: "sampleText", msgParam: { content: EX.isLive } },
  sampleMarkdown: { msgKey: "sampleMarkdown", msgParam: { title: EX.deploy, text: `### crm 2.4\n${EX.readyToGo}` } },
  sampleLink: { msgKey: "sampleLink", msgParam: { title: EX.report, text: EX.reportReady, messageUrl: URL_EXAMPLE, picUrl: "https://example.com/p.png" } },
  sampleActionCard: { msgKey: "sampleActionCard", msgParam: { title: EX.deployAsk, text: EX.readyToGo, singleTitle: EX.open, singleURL: URL_EXAMPLE } },
};

/** channel -> msgtype -> structured fields, or a JSON example of the whole message. */
export const MESSAGE_TYPES = {
  dingtalk_robot: {
    text: text("text.content"),
    markdown: titled("markdown", "title", "text"),
    link: { msgtype: "link", link: { title: EX.report, text: EX.reportReady, messageUrl: URL_EXAMPLE } },
    actionCard: { msgtype: "actionCard", actionCard: { title: EX.deployAsk, text: `### crm 2.4\n${EX.readyToGo}`, singleTitle: EX.open, singleURL: URL_EXAMPLE } },
    feedCard: { msgtype: "feedCard", feedCard: { links: [{ title: EX.releaseNotes, messageURL: URL_EXAMPLE, picURL: "https://example.com/p.png" }] } },
  },
  wecom_robot: {
    text: text("text.content"),
    markdown: text("markdown.content", t("compose.markdown")),
    markdown_v2: text("markdown_v2.content", t("compose.markdown")),
    image: { msgtype: "image", image: IMAGE },
    news: { msgtype: "news", news: { articles: [{ title: EX.releaseNotes, description: "crm 2.4", url: URL_EXAMPLE }] } },
    file: { msgtype: "file", file: FILE },
    voice: { msgtype: "voice", voice: { media: { base64: "<base64 of an .amr file>", filename: "voice.amr", contentType: "audio/amr" } } },
    template_card: { msgtype: "template_card", template_card: { card_type: "text_notice", main_title: { title: EX.deploy, desc: EX.isLive }, card_action: { type: 1, url: URL_EXAMPLE } } },
  },
  dingtalk_work: {
    text: text("text.content"),
    markdown: titled("markdown", "title", "text"),
    image: { msgtype: "image", image: IMAGE },
    voice: { msgtype: "voice", voice: { media: { base64: "<base64 of an .amr file>", filename: "voice.amr" }, duration: "10" } },
    file: { msgtype: "file", file: FILE },
    link: { msgtype: "link", link: { messageUrl: URL_EXAMPLE, picUrl: "@lADOADmaWMzazQKA", title: EX.report, text: EX.reportReady } },
    oa: { msgtype: "oa", oa: { head: { bgcolor: "FFBBBBBB", text: "imbridge" }, body: { title: EX.leaveApproved, content: EX.leaveDays } } },
    action_card: { msgtype: "action_card", action_card: { title: EX.deployAsk, markdown: `### crm 2.4\n${EX.readyToGo}`, single_title: EX.open, single_url: URL_EXAMPLE } },
  },
  wecom_app: {
    text: text("text.content"),
    markdown: text("markdown.content", t("compose.markdown")),
    image: { msgtype: "image", image: IMAGE },
    voice: { msgtype: "voice", voice: { media: { base64: "<base64 of an .amr file>", filename: "voice.amr" } } },
    video: { msgtype: "video", video: { media: { base64: "<base64 of an .mp4 file>", filename: "clip.mp4" }, title: EX.clip } },
    file: { msgtype: "file", file: FILE },
    textcard: { msgtype: "textcard", textcard: { title: EX.report, description: EX.reportReady, url: URL_EXAMPLE, btntxt: EX.open } },
    news: { msgtype: "news", news: { articles: [{ title: EX.releaseNotes, description: "crm 2.4", url: URL_EXAMPLE }] } },
    mpnews: { msgtype: "mpnews", mpnews: { articles: [{ title: EX.releaseNotes, content: `<p>${EX.isLive}</p>`, thumb_media: IMAGE.media }] } },
    template_card: { msgtype: "template_card", template_card: { card_type: "text_notice", main_title: { title: EX.deploy, desc: EX.isLive }, card_action: { type: 1, url: URL_EXAMPLE } } },
  },
  wechat_template: {
    template: { touser: "oDemoFollower000000000000001", template_code: "deploy", url: URL_EXAMPLE, data: { first: { value: EX.isLive } } },
  },
  // Customer-service messages: only to a follower who wrote within 48 hours (else WeChat answers 45015).
  wechat_custom: {
    text: { touser: "oDemoFollower000000000000001", msgtype: "text", text: { content: EX.isLive } },
    image: { touser: "oDemoFollower000000000000001", msgtype: "image", image: IMAGE },
    news: { touser: "oDemoFollower000000000000001", msgtype: "news", news: { articles: [{ title: EX.releaseNotes, description: "crm 2.4", url: URL_EXAMPLE }] } },
    msgmenu: { touser: "oDemoFollower000000000000001", msgtype: "msgmenu", msgmenu: { head_content: EX.deployAsk, list: [{ id: "1", content: EX.readyToGo }] } },
  },
  // Subscription messages: only to a user who subscribed (else WeChat answers 43101); keys checked against the template.
  wechat_subscribe: {
    subscribe: { touser: "oDemoFollower000000000000001", template_code: "ticket", data: { thing1: "crm 2.4", phrase2: "OK", time3: "2024-05-01 10:00" } },
  },
  applet_subscribe: {
    subscribe: { touser: "oDemoFollower000000000000001", template_code: "order", page: "pages/index", data: { thing3: "crm 2.4" } },
  },
  // The app's enterprise robot (DingTalk v1.0): a template msgKey and its msgParam.
  dingtalk_group: ENTERPRISE_ROBOT,
  dingtalk_robot_users: ENTERPRISE_ROBOT,
  wecom_appchat: {
    text: text("text.content"),
    markdown: text("markdown.content", t("compose.markdown")),
    textcard: { msgtype: "textcard", textcard: { title: EX.report, description: EX.reportReady, url: URL_EXAMPLE, btntxt: EX.open } },
    news: { msgtype: "news", news: { articles: [{ title: EX.releaseNotes, description: "crm 2.4", url: URL_EXAMPLE }] } },
    image: { msgtype: "image", image: IMAGE },
    file: { msgtype: "file", file: FILE },
  },
};

/** Where a delivery went, in a few words. */
function target(d) {
  if (d.robot) return h("span", {}, h("span", { class: "muted" }, `${t("notifications.robot")} `), d.robot);
  return d.target || "—";
}

/** Follow one delivery until it is final, showing its status in `container`; resolves with the record. */
export async function trackDelivery(id, container, { signal } = {}) {
  const line = h("div", { class: "job-progress delivery-track", dataset: { delivery: id } });
  container.append(line);
  const show = (d) => {
    line.className = `job-progress delivery-track job-${d.status === "sent" ? "succeeded" : FINAL.has(d.status) ? "failed" : "running"}`;
    fill(line, FINAL.has(d.status) ? null : h("span", { class: "spinner", "aria-hidden": "true" }),
      h("span", {}, `${t("notifications.one")} `), h("a", { href: `#/notifications/${encodeURIComponent(id)}` }, id.slice(0, 8)), h("span", {}, ": "),
      h("span", { class: "delivery-status", dataset: { status: d.status } }, badge(d.status)),
      d.errcode ? h("span", { class: "job-error" }, ` errcode ${d.errcode}`) : null,
      d.lastError ? h("span", { class: "job-error" }, ` ${d.lastError}`) : null);
  };
  show({ status: "queued" });
  try {
    const record = await poll(() => api("GET", `notifications/${encodeURIComponent(id)}`, undefined, { signal }),
      (d) => FINAL.has(d.status), { interval: 500, signal, onUpdate: show });
    if (record.status === "sent") toast(t("notifications.sentToast"), "success");
    else toast(t("notifications.endedToast", { status: statusLabel(record.status), error: record.lastError || record.errcode || "" }), "error");
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
      { name: "channel", label: t("notifications.channel"), type: "select", options: [{ value: "", label: t("notifications.allChannels") }, ...Object.entries(CHANNELS).map(([value, label]) => ({ value, label }))] },
      { name: "status", label: t("notifications.status"), type: "select", options: [{ value: "", label: t("notifications.anyStatus") }, ...STATUSES.map((value) => ({ value, label: statusLabel(value) }))] },
      { name: "robot", label: t("notifications.robotCode"), placeholder: t("common.any") },
      { name: "since", label: t("filters.since"), type: "datetime" },
      { name: "until", label: t("filters.until"), type: "datetime" },
    ],
    values: { ...query, since: localInput(query.since), until: localInput(query.until) },
    submitLabel: t("filters.filter"),
    extraActions: [h("button", { type: "button", onclick: () => ctx.navigate("#/notifications") }, t("filters.clear"))],
    onSubmit: async (values) => {
      const search = new URLSearchParams(values).toString();
      ctx.navigate(`#/notifications${search ? `?${search}` : ""}`);
    },
  });
  const log = pagedTable({
    limit: 25,
    empty: t("notifications.noneMatch"),
    columns: [
      { label: t("notifications.created"), class: "nowrap", render: (d) => fmtTime(d.createdAt) },
      { label: t("notifications.channel"), render: (d) => CHANNELS[d.channel] || d.channel },
      { label: t("notifications.target"), render: target },
      { label: t("notifications.type"), key: "msgtype" },
      { label: t("notifications.status"), render: (d) => badge(d.status) },
      { label: t("notifications.attempts"), key: "attempts", class: "num" },
      { label: t("notifications.lastError"), class: "wrap-anywhere", render: (d) => d.lastError || (d.errcode ? `errcode ${d.errcode}` : "") },
    ],
    onRow: (d) => ctx.navigate(`#/notifications/${encodeURIComponent(d.id)}`),
    load: async (page, limit) => {
      const answer = await api("GET", "notifications", undefined, { query: { ...query, page, limit }, signal: ctx.signal });
      return answer;
    },
  });
  root.append(
    pageHead(t("nav.notifications"), { help: t("notifications.help"),
      actions: [
        h("button", { type: "button", onclick: () => log.reload() }, t("common.refresh")),
        h("button", { type: "button", class: "primary", id: "compose", onclick: () => ctx.navigate("#/notifications/new") }, t("notifications.compose")),
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
  root.append(pageHead(t("notifications.one"), { help: id, actions: [
    h("button", { type: "button", onclick: () => ctx.navigate("#/notifications") }, t("notifications.back"))] }), body);

  async function act(path, verb) {
    try {
      await api("POST", `notifications/${encodeURIComponent(id)}/${path}`);
      toast(t("notifications.requested", { verb }), "success");
      refresh();
    } catch (err) { toastError(err); }
  }

  /** The status bar of a sent DingTalk OA message: a text and one of a few colours (any #RRGGBB via the API). */
  function statusBarDialog(d) {
    const colors = [["#78C06E", t("statusBar.green")], ["#F65E5E", t("statusBar.red")], ["#FFA200", t("statusBar.orange")],
      ["#3296FA", t("statusBar.blue")], ["#9E9E9E", t("statusBar.grey")]];
    const form = new Form({
      fields: [
        { name: "value", label: t("statusBar.value"), required: true, placeholder: t("statusBar.valuePlaceholder"), help: t("statusBar.valueHelp") },
        { name: "color", label: t("statusBar.color"), type: "select", options: colors.map(([value, label]) => ({ value, label })) },
      ],
      values: { value: d.answer?.statusBar?.value ?? "" },
      submitLabel: t("statusBar.set"),
      cancel: () => handle.close(),
      onSubmit: async (values) => {
        await api("POST", `notifications/${encodeURIComponent(id)}/status-bar`, { value: values.value ?? "", color: values.color });
        toast(t("notifications.requested", { verb: t("statusBar.set") }), "success");
        handle.close();
        // The worker sets it shortly: follow the record until the update shows up as a final status_* attempt.
        const seen = (d.history || []).length;
        const settled = (r) => (r.history || []).slice(seen).some((a) => a.outcome === "status_set" || a.outcome === "status_failed");
        poll(() => api("GET", `notifications/${encodeURIComponent(id)}`, undefined, { signal: ctx.signal }), settled,
          { interval: 500, timeout: 30000, signal: ctx.signal, onUpdate: render }).catch((err) => { if (err.name !== "AbortError") toastError(err); });
      },
    });
    const handle = modal(t("statusBar.title"), form.element);
  }

  function render(d) {
    const actions = [];
    if (d.status === "failed" || d.status === "dead") {
      actions.push(h("button", { type: "button", class: "primary", id: "retry", onclick: () => act("retry", t("notifications.retry")) }, t("notifications.retry")));
    }
    if ((d.channel === "dingtalk_work" || d.channel === "wecom_app") && d.status === "sent" && d.recallStatus !== "recalled") {
      actions.push(h("button", { type: "button", class: "danger", id: "recall", onclick: async () => {
        if (await confirmDialog(t("notifications.recallAsk"), { confirm: t("notifications.recall") })) act("recall", t("notifications.recall"));
      } }, t("notifications.recall")));
    }
    if (d.channel === "dingtalk_work" && d.msgtype === "oa" && d.status === "sent") {
      actions.push(h("button", { type: "button", id: "status-bar", onclick: () => statusBarDialog(d) }, t("statusBar.button")));
    }
    const history = d.history || [];
    // Every send that did not end in "sent" failed, whether or not it counted against the retry budget
    // (the record's failedAttempts counts only retryable failures: a permanent refusal is not among them).
    // Status-bar updates (outcomes status_*) are attempts on the record but no sends.
    const failures = history.filter((a) => a.outcome !== "sent" && !String(a.outcome).startsWith("status_"));
    const lastFailure = failures.at(-1);
    body.replaceChildren(
      h("div", { class: "grid" },
        h("div", { class: "card" }, h("h2", {}, `${t("notifications.delivery")} `, h("span", { id: "detail-status" }, badge(d.status))),
          h("dl", { class: "kv" },
            h("dt", {}, t("notifications.channel")), h("dd", {}, CHANNELS[d.channel] || d.channel),
            h("dt", {}, t("notifications.target")), h("dd", {}, target(d)),
            d.to ? [h("dt", {}, t("notifications.recipients")), h("dd", {}, h("code", {}, JSON.stringify(d.to)))] : null,
            h("dt", {}, t("notifications.type")), h("dd", {}, d.msgtype || "—"),
            h("dt", {}, t("notifications.attempts")), h("dd", { id: "detail-attempts" },
              failures.length ? t("notifications.attemptsFailed", { n: d.attempts, failed: failures.length }) : String(d.attempts)),
            h("dt", {}, t("notifications.created")), h("dd", {}, fmtTime(d.createdAt)),
            h("dt", {}, t("notifications.sent")), h("dd", {}, fmtTime(d.sentAt)),
            h("dt", {}, t("notifications.finished")), h("dd", {}, fmtTime(d.finishedAt)),
            d.nextAttemptAt ? [h("dt", {}, t("notifications.nextAttempt")), h("dd", {}, fmtTime(d.nextAttemptAt))] : null,
            d.errcode ? [h("dt", {}, "errcode"), h("dd", { class: "job-error" }, String(d.errcode))] : null,
            d.lastError ? [h("dt", {}, t("notifications.lastError")), h("dd", { class: "job-error" }, d.lastError)] : null,
            d.recallStatus ? [h("dt", {}, t("notifications.recallStatus")), h("dd", {}, badge(d.recallStatus))] : null,
            h("dt", {}, t("notifications.source")), h("dd", {}, d.source || "—"),
            d.idempotencyKey ? [h("dt", {}, t("notifications.idempotencyKey")), h("dd", {}, d.idempotencyKey)] : null),
          actions.length ? h("div", { class: "actions" }, actions) : null),
        h("div", { class: "card", id: "platform-answer" }, h("h2", {}, t("notifications.answer")),
          lastFailure ? h("p", { class: "job-error answer-failure" }, t("notifications.answerFailed", { n: lastFailure.number }),
            lastFailure.errcode !== null && lastFailure.errcode !== undefined ? ` errcode ${lastFailure.errcode}: ` : " ",
            lastFailure.errmsg || d.lastError || statusLabel(lastFailure.outcome)) : null,
          Object.keys(d.answer || {}).length ? pretty(d.answer)
            : d.status === "sent" ? h("p", { class: "muted" }, t("notifications.nothingBeyondSuccess"))
              : !lastFailure ? h("p", { class: "muted" }, t("notifications.noAnswerYet")) : null,
          d.problems ? [h("h3", {}, t("notifications.problems")), h("ul", { class: "form-error" }, d.problems.map((p) => h("li", {}, `${p.field}: ${p.message}`)))] : null)),
      h("div", { class: "card" }, h("h2", {}, t("notifications.attemptsHeading")),
        table([
          { label: "#", key: "number", class: "num" },
          { label: t("notifications.started"), class: "nowrap", render: (a) => fmtTime(a.startedAt) },
          { label: t("notifications.finished"), class: "nowrap", render: (a) => fmtTime(a.finishedAt) },
          { label: t("notifications.outcome"), render: (a) => badge(a.outcome) },
          { label: "errcode", key: "errcode" },
          { label: t("notifications.platformMessage"), key: "errmsg" },
        ], history, { empty: t("notifications.noAttempt") })),
      h("div", { class: "card" }, h("h2", {}, t("notifications.message")), pretty(d.message)));
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
    return items.map((r) => ({ value: r.code, label: `${r.code} · ${r.name}${r.enabled ? "" : ` (${statusLabel("disabled")})`}` }));
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
        ? { name: "robot", label: t("compose.robot"), type: "select", options: robots[channel], required: true }
        : { name: "robot", label: t("notifications.robotCode"), required: true, help: t("compose.noRobot") });
    }
    if (channel === "dingtalk_work" || channel === "wecom_app") {
      fields.push(
        { name: "to.users", label: t("compose.users"), type: "list", placeholder: channel === "dingtalk_work" ? "manager01, user02" : "zhangsan, lisi", help: t("compose.usersHelp"), aliases: ["to"] },
        { name: "to.departments", label: t("compose.departments"), type: "list", placeholder: "1, 2", help: t("compose.departmentsHelp") });
      if (channel === "wecom_app") fields.push({ name: "to.tags", label: t("compose.tags"), type: "list", placeholder: "1", help: t("compose.tagsHelp") });
      fields.push({ name: "to.all", label: t("compose.everyone"), type: "checkbox" });
    }
    if (channel === "dingtalk_group") {
      fields.push({ name: "to.group", label: t("compose.group"), required: true, placeholder: "cidXXXXXXXX==", help: t("compose.groupHelp") });
    }
    if (channel === "dingtalk_robot_users") {
      fields.push({ name: "to.users", label: t("compose.users"), type: "list", required: true, placeholder: "manager01, user02", help: t("compose.robotUsersHelp") });
    }
    if (channel === "wecom_appchat") {
      fields.push({ name: "to.chat", label: t("compose.chat"), required: true, placeholder: "oncall", help: t("compose.chatHelp") });
    }
    const shape = MESSAGE_TYPES[channel][msgtype];
    if (Array.isArray(shape)) {
      fields.push({ name: "message.msgtype", type: "hidden", value: msgtype }, ...shape);
    } else {
      fields.push({ name: "message", label: t("compose.messageJson"), type: "json", rows: 12, value: shape, required: true,
        help: t("compose.messageJsonHelp") });
    }
    if (!["wechat_template", "wechat_custom", "wechat_subscribe", "applet_subscribe"].includes(channel)) {
      fields.push({ name: "template.code", label: t("compose.template"), placeholder: "deploy", help: t("compose.templateHelp"), aliases: ["template"] },
        { name: "template.variables", label: t("compose.templateVariables"), type: "json", rows: 3, placeholder: '{"app": "crm"}', when: (v) => Boolean(v["template.code"]) });
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
      submitLabel: t("compose.send"),
      onSubmit: async (values) => {
        if (values.to && values.to.all === false) delete values.to.all;
        const accepted = await api("POST", "notifications", { channel: state.channel, ...values });
        toast(t("compose.accepted"), "info", 2500);
        trackDelivery(accepted.id, tracking, { signal: ctx.signal });
      },
    });
    formBox.replaceChildren(form.element);
  }

  channelSelect.addEventListener("change", () => { state.channel = channelSelect.value; state.msgtype = undefined; build(); });
  typeSelect.addEventListener("change", () => { state.msgtype = typeSelect.value; build(); });
  build();
  root.append(
    pageHead(t("compose.heading"), { help: t("compose.help"),
      actions: [h("button", { type: "button", id: "fan-out", onclick: () => ctx.navigate("#/notifications/fan-out") }, t("fanOut.open")),
        h("button", { type: "button", onclick: () => ctx.navigate("#/notifications") }, t("notifications.back"))] }),
    h("div", { class: "card" },
      h("div", { class: "form-fields compose-head" },
        h("label", { class: "field" }, h("span", { class: "label" }, t("notifications.channel")), channelSelect),
        h("label", { class: "field" }, h("span", { class: "label" }, t("compose.msgtype")), typeSelect)),
      h("hr", { class: "sep" }), formBox),
    tracking);
}

// ------------------------------------------------------------------------------------------------ fan-out

/** One message to several targets at once: one group, one notification per target, each followed. */
async function fanOutView(root, ctx) {
  const robots = { dingtalk: await robotCodes("dingtalk", ctx.signal), wecom: await robotCodes("wecom", ctx.signal) };
  const tracking = h("div", { class: "tracking" });
  const codes = (list) => list.map((r) => r.value).join(", ") || "ops";
  const form = new Form({
    fields: [
      { name: "dingtalkRobots", label: t("fanOut.dingtalkRobots"), type: "list", placeholder: codes(robots.dingtalk), help: t("fanOut.robotsHelp") },
      { name: "wecomRobots", label: t("fanOut.wecomRobots"), type: "list", placeholder: codes(robots.wecom), help: t("fanOut.robotsHelp") },
      { name: "dingtalkUsers", label: t("fanOut.dingtalkUsers"), type: "list", placeholder: "manager01, user02", help: t("compose.usersHelp") },
      { name: "wecomUsers", label: t("fanOut.wecomUsers"), type: "list", placeholder: "zhangsan, lisi", help: t("compose.usersHelp") },
      { name: "message.format", label: t("fanOut.format"), type: "select", options: [{ value: "text", label: "text" }, { value: "markdown", label: "markdown" }] },
      { name: "message.title", label: t("fanOut.title"), placeholder: "Deploy", when: (v) => v["message.format"] === "markdown" },
      { name: "message.text", label: t("compose.text"), type: "textarea", rows: 4, required: true, placeholder: "**crm** is live" },
    ],
    submitLabel: t("fanOut.send"),
    onSubmit: async (values) => {
      const targets = [
        ...(values.dingtalkRobots || []).map((robot) => ({ channel: "dingtalk_robot", robot })),
        ...(values.wecomRobots || []).map((robot) => ({ channel: "wecom_robot", robot })),
        ...(values.dingtalkUsers?.length ? [{ channel: "dingtalk_work", to: { users: values.dingtalkUsers } }] : []),
        ...(values.wecomUsers?.length ? [{ channel: "wecom_app", to: { users: values.wecomUsers } }] : []),
      ];
      const group = await api("POST", "notification-groups", { targets, message: values.message });
      tracking.replaceChildren(h("p", { id: "fan-out-group", dataset: { group: group.id } }, t("fanOut.group", { id: group.id.slice(0, 8), n: group.size })));
      for (const n of group.notifications) trackDelivery(n.id, tracking, { signal: ctx.signal });
    },
  });
  root.append(
    pageHead(t("fanOut.heading"), { help: t("fanOut.help"),
      actions: [h("button", { type: "button", onclick: () => ctx.navigate("#/notifications/new") }, t("fanOut.back"))] }),
    h("div", { class: "card" }, form.element),
    tracking);
}

export default {
  id: "notifications",
  title: t("nav.notifications"),
  group: t("nav.groupMessaging"),
  render(root, ctx) {
    const [first] = ctx.params;
    clear(root);
    if (first === "new") return composeView(root, ctx);
    if (first === "fan-out") return fanOutView(root, ctx);
    if (first) return detailView(root, ctx, first);
    return listView(root, ctx);
  },
};
