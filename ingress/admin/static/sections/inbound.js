// Messages & events: what the portals received (WeChat and WeCom callbacks), searchable, each in full.
import {
  api, fill, fmtTime, Form, h, modal, pageHead, pager, pretty, table, toastError,
} from "../app.js";
import { summarize } from "../inbound/summary.js";

// How often the list looks for new traffic while the first page is shown (ms).
const REFRESH_MS = 5000;
const LIMIT = 25;
const MSG_TYPES = ["", "text", "image", "voice", "video", "shortvideo", "location", "link", "event"];

function detail(record) {
  const kv = [
    ["Received", fmtTime(record.receivedAt)], ["Sent by the platform", fmtTime(record.createTime)],
    ["Platform / app", `${record.platform} · ${record.app}`], ["Type", record.event ? `${record.msgType} · ${record.event}` : record.msgType],
    ["Event key", record.eventKey], ["From", record.fromUser], ["To", record.toUser], ["MsgId", record.msgId],
    ["Encrypted", record.encrypted ? "yes (safe mode)" : "no"], ["Handled by", record.handler], ["Reply", record.reply],
  ].filter(([, value]) => value !== null && value !== undefined && value !== "");
  modal(`Inbound #${record.id}`, [
    h("dl", { class: "kv" }, kv.map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)])),
    h("h3", {}, "Every field the platform sent"), pretty(record.fields),
  ], { wide: true });
}

export default {
  id: "inbound",
  title: "Messages & events",
  group: "Inbound",
  async render(root, ctx) {
    let filter = {};
    let page = 1;
    const list = h("div", { class: "paged" });
    const stamp = h("span", { class: "muted small" });

    async function show(wanted = page) {
      const answer = await api("GET", "inbound", undefined,
        { query: { ...filter, limit: LIMIT, offset: (wanted - 1) * LIMIT }, signal: ctx.signal });
      page = wanted;
      fill(list, table([
        { label: "Received", render: (r) => h("span", { class: "nowrap" }, fmtTime(r.receivedAt)) },
        { label: "Platform", key: "platform" },
        { label: "Type", render: (r) => [h("code", {}, r.msgType), r.event ? h("span", { class: "muted small" }, ` ${r.event}`) : null] },
        { label: "From", render: (r) => h("code", { class: "small" }, r.fromUser) },
        { label: "Content", render: (r) => h("div", { class: "inbound-text", title: summarize(r) }, summarize(r)) },
        { label: "Handled by", render: (r) => r.handler },
      ], answer.items, { empty: "Nothing received yet (or nothing matches).", onRow: detail }),
      pager({ page, limit: LIMIT, total: answer.total }, (p) => show(p).catch(toastError)));
      stamp.textContent = `updated ${new Date().toLocaleTimeString(undefined, { hour12: false })}`;
    }

    const form = new Form({
      className: "filters-form",
      fields: [
        { name: "q", label: "Search", placeholder: "text in any field", wide: true },
        { name: "platform", label: "Platform", type: "select", options: [{ value: "", label: "any" }, "wechat", "wecom"] },
        { name: "msgType", label: "Type", type: "select", options: MSG_TYPES.map((t) => ({ value: t, label: t || "any" })) },
        { name: "event", label: "Event", placeholder: "CLICK, subscribe…" },
        { name: "fromUser", label: "From", placeholder: "openid, userid" },
        { name: "since", label: "Since", type: "datetime" },
        { name: "until", label: "Until", type: "datetime" },
      ],
      submitLabel: "Search",
      extraActions: [h("button", { type: "button", onclick: () => { form.element.reset(); form.clearErrors(); filter = {}; show(1).catch(toastError); } }, "Reset")],
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

    root.append(pageHead("Messages & events", {
      help: "What followers and members sent, and the events the platforms reported, newest first. Click a row for every field.",
      actions: [stamp, h("button", { type: "button", onclick: () => show().catch(toastError) }, "Refresh")] }),
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
