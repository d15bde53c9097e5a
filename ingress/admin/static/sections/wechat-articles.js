// WeChat published articles and drafts, as last synced (a job over freepublish/draft batchget).
import { api, fmtTime, h, pagedTable, pageHead, toastError, watchJob } from "../app.js";

export default {
  id: "wechat-articles",
  title: "Articles",
  group: "WeChat",
  async render(root, ctx) {
    let kind = "published";
    const progress = h("div", { class: "progress-area" });
    const list = pagedTable({
      limit: 20,
      load: async (page, limit) => ({ ...(await api("GET", "wechat/articles", undefined,
        { query: { kind, limit, offset: (page - 1) * limit }, signal: ctx.signal })), page }),
      empty: "Nothing here yet: sync from WeChat.",
      columns: [
        { label: "Title", render: (a) => h("div", {}, h("strong", {}, a.title || "—"),
          a.articles.length > 1 ? h("span", { class: "muted small" }, ` +${a.articles.length - 1}`) : null,
          h("div", { class: "muted small mono" }, a.articleId || a.mediaId)) },
        { label: "Author", render: (a) => a.articles[0]?.author },
        { label: "Digest", render: (a) => h("span", { class: "small" }, a.articles[0]?.digest || "") },
        { label: "Link", render: (a) => (a.articles[0]?.url ? h("a", { href: a.articles[0].url, target: "_blank", rel: "noopener" }, "open") : null) },
        { label: "Updated", render: (a) => fmtTime(a.updatedAt) },
      ],
    });
    const picker = h("select", { name: "kind", onchange: () => { kind = picker.value; list.reload(1); } },
      h("option", { value: "published" }, "published"), h("option", { value: "draft" }, "drafts"));
    const syncButton = h("button", { type: "button", class: "primary", onclick: sync }, "Sync from WeChat");

    async function sync() {
      syncButton.disabled = true;
      try {
        const { jobId } = await api("POST", "wechat/articles/sync");
        progress.replaceChildren();
        await watchJob(jobId, { container: progress, label: "Article sync", signal: ctx.signal });
        list.reload(1);
      } catch (err) {
        toastError(err, "Sync");
      } finally {
        syncButton.disabled = false;
      }
    }

    root.append(pageHead("Articles", { help: "Published articles and drafts of the Official Account.", actions: [picker, syncButton] }),
      progress, list.element);
  },
};
