// Messages & events: what the portals received (WeChat and WeCom callbacks), searchable, each in full.
import {
  api, fill, fmtTime, Form, h, modal, pageHead, pager, pretty, t, table, toastError,
} from "../app.js";
import { summarize } from "../inbound/summary.js";
import { formatTime } from "../i18n.js";
import { followerLine, followerPanel } from "../wechat/followers.js";

// How often the list looks for new traffic while the first page is shown (ms).
const REFRESH_MS = 5000;
const LIMIT = 25;
const MSG_TYPES = ["", "text", "image", "voice", "video", "shortvideo", "location", "link", "event"];

function detail(record) {
  const kv = [
    [t("inbound.received"), fmtTime(record.receivedAt)], [t("inbound.sentByPlatform"), fmtTime(record.createTime)],
    [t("inbound.platformApp"), `${record.platform} · ${record.app}`], [t("notifications.type"), record.event ? `${record.msgType} · ${record.event}` : record.msgType],
    [t("inbound.eventKey"), record.eventKey], [t("inbound.from"), record.fromUser], [t("inbound.to"), record.toUser], ["MsgId", record.msgId],
    [t("inbound.encrypted"), record.encrypted ? t("inbound.safeMode") : t("common.no")], [t("inbound.handledBy"), record.handler], [t("inbound.reply"), record.reply],
  ].filter(([, value]) => value !== null && value !== undefined && value !== "");
  modal(t("inbound.detailTitle", { id: record.id }), [
    h("dl", { class: "kv" }, kv.map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)])),
    // A WeChat sender is a follower: their remark, tags and subscription as last fetched (or a button to fetch them).
    record.platform === "wechat" && record.fromUser ? [h("h3", {}, t("followers.heading")), followerPanel(record.fromUser, record.follower, { account: record.account || "default" })] : null,
    h("h3", {}, t("inbound.everyField")), pretty(record.fields),
  ], { wide: true });
}

export default {
  id: "inbound",
  title: t("nav.inbound"),
  group: t("nav.groupInbound"),
  async render(root, ctx) {
    // `#/inbound?fromUser=...` (a follower's "messages" link) opens the list already filtered.
    const FILTERS = ["q", "platform", "msgType", "event", "fromUser"];
    let filter = Object.fromEntries(FILTERS.filter((name) => ctx.query[name]).map((name) => [name, ctx.query[name]]));
    let page = 1;
    const list = h("div", { class: "paged" });
    const stamp = h("span", { class: "muted small" });

    async function show(wanted = page) {
      const answer = await api("GET", "inbound", undefined,
        { query: { ...filter, limit: LIMIT, offset: (wanted - 1) * LIMIT }, signal: ctx.signal });
      page = wanted;
      fill(list, table([
        { label: t("inbound.received"), render: (r) => h("span", { class: "nowrap" }, fmtTime(r.receivedAt)) },
        { label: t("inbound.platform"), key: "platform" },
        { label: t("notifications.type"), render: (r) => [h("code", {}, r.msgType), r.event ? h("span", { class: "muted small" }, ` ${r.event}`) : null] },
        { label: t("inbound.from"), class: "wrap-anywhere", render: (r) => [h("code", { class: "small" }, r.fromUser),
          r.follower ? h("div", { class: "small" }, followerLine(r.follower)) : null] },
        { label: t("inbound.content"), class: "inbound-content", render: (r) => h("div", { class: "inbound-text", title: summarize(r) }, summarize(r)) },
        { label: t("inbound.handledBy"), class: "wrap-anywhere", render: (r) => (r.handler ? h("code", { class: "small" }, r.handler) : null) },
      ], answer.items, { empty: t("inbound.empty"), onRow: detail }),
      pager({ page, limit: LIMIT, total: answer.total }, (p) => show(p).catch(toastError)));
      stamp.textContent = t("inbound.updated", { time: formatTime(new Date()) });
    }

    const form = new Form({
      className: "filters-form",
      values: filter,
      fields: [
        { name: "q", label: t("inbound.search"), placeholder: t("inbound.searchPlaceholder"), wide: true },
        { name: "platform", label: t("inbound.platform"), type: "select", options: [{ value: "", label: t("common.any") },
          { value: "wechat", label: t("platform.wechat") }, { value: "wecom", label: t("platform.wecom") }] },
        { name: "msgType", label: t("notifications.type"), type: "select", options: MSG_TYPES.map((type) => ({ value: type, label: type || t("common.any") })) },
        { name: "event", label: t("inbound.event"), placeholder: "CLICK, subscribe…" },
        { name: "fromUser", label: t("inbound.from"), placeholder: "openid, userid" },
        { name: "since", label: t("filters.since"), type: "datetime" },
        { name: "until", label: t("filters.until"), type: "datetime" },
      ],
      submitLabel: t("inbound.searchButton"),
      extraActions: [h("button", { type: "button", onclick: () => { form.element.reset(); form.clearErrors(); filter = {}; show(1).catch(toastError); } }, t("inbound.reset"))],
      onSubmit: async (values) => {
        const previous = filter;
        filter = values;
        try {
          await show(1);
        } catch (err) {
          filter = previous;
          throw err;
        }
      },
    });

    root.append(pageHead(t("nav.inbound"), {
      help: t("inbound.help"),
      actions: [stamp, h("button", { type: "button", onclick: () => show().catch(toastError) }, t("common.refresh"))] }),
    h("div", { class: "card" }, form.element), list);
    await show(1);
    if (ctx.params[0]) {
      api("GET", `inbound/${encodeURIComponent(ctx.params[0])}`).then(detail, toastError);
    }
    // New traffic shows up by itself while the operator looks at the first page (not when paging back in time).
    const timer = setInterval(() => {
      if (page === 1 && !document.querySelector("dialog[open]")) show(1).catch(() => {});
    }, REFRESH_MS);
    return () => clearInterval(timer);
  },
};
