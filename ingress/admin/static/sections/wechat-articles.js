// WeChat published articles and drafts, as last synced (a job over freepublish/draft batchget).
import { api, fmtTime, h, pagedTable, pageHead, t, toastError, watchJob } from "../app.js";
import { accountQuery, accountSwitcher } from "../wechat/account.js";

export default {
  id: "wechat-articles",
  title: t("nav.articles"),
  group: t("platform.wechat"),
  async render(root, ctx) {
    let kind = "published";
    const progress = h("div", { class: "progress-area" });
    const list = pagedTable({
      limit: 20,
      load: async (page, limit) => ({ ...(await api("GET", "wechat/articles", undefined,
        { query: accountQuery({ kind, limit, offset: (page - 1) * limit }), signal: ctx.signal })), page }),
      empty: t("articles.empty"),
      columns: [
        { label: t("compose.title"), render: (a) => h("div", {}, h("strong", {}, a.title || "—"),
          a.articles.length > 1 ? h("span", { class: "muted small" }, ` +${a.articles.length - 1}`) : null,
          h("div", { class: "muted small mono" }, a.articleId || a.mediaId)) },
        { label: t("articles.author"), render: (a) => a.articles[0]?.author },
        { label: t("articles.digest"), render: (a) => h("span", { class: "small" }, a.articles[0]?.digest || "") },
        { label: t("articles.link"), render: (a) => (a.articles[0]?.url ? h("a", { href: a.articles[0].url, target: "_blank", rel: "noopener" }, t("articles.open")) : null) },
        { label: t("articles.updated"), render: (a) => fmtTime(a.updatedAt) },
      ],
    });
    const picker = h("select", { name: "kind", onchange: () => { kind = picker.value; list.reload(1); } },
      h("option", { value: "published" }, t("articles.published")), h("option", { value: "draft" }, t("articles.drafts")));
    const syncButton = h("button", { type: "button", class: "primary", onclick: sync }, t("wechat.sync"));

    async function sync() {
      syncButton.disabled = true;
      try {
        const { jobId } = await api("POST", "wechat/articles/sync", undefined, { query: accountQuery() });
        progress.replaceChildren();
        await watchJob(jobId, { container: progress, label: t("articles.syncJob"), signal: ctx.signal });
        list.reload(1);
      } catch (err) {
        toastError(err, t("articles.syncJob"));
      } finally {
        syncButton.disabled = false;
      }
    }

    root.append(pageHead(t("nav.articles"), { help: t("articles.help"), actions: [accountSwitcher(() => ctx.refresh(), { signal: ctx.signal }), picker, syncButton] }),
      progress, list.element);
  },
};
