// WeChat followers and tags: the followers fetched so far with their remark, tags and subscription, fetched again
// from WeChat (a job), remarks set, tags created, synced, deleted, and given to or taken from selected followers.
// Every change is a job: the list shows what WeChat confirmed, never what we hoped. "Sync all followers" walks
// WeChat's whole list (a job in steps whose result tells how far it got), a tag's "Sync followers" that tag's.
import {
  api, confirmDialog, fill, fmtTime, Form, h, modal, pageHead, pager, poll, t, table, toastError, watchJob,
} from "../app.js";
import { accountQuery, accountSwitcher, chooseAccount } from "../wechat/account.js";
import { followerFields, followerPanel, followingBadge, sceneText, tagChips } from "../wechat/followers.js";

const LIMIT = 25;
/** WeChat's own tags (0-2) cannot be given, taken, renamed or deleted through the API. */
const FIRST_OWN_TAG = 3;
/** A sync of a large account runs for a long time (a 10,000-openid page, then 100 followers a call). */
const SYNC_TIMEOUT = 12 * 3600 * 1000;

export default {
  id: "wechat-followers",
  title: t("nav.followers"),
  group: t("platform.wechat"),
  async render(root, ctx) {
    if (ctx.query.account) {  // a link from a record of that account: open on it, then let the switcher rule
      chooseAccount(ctx.query.account);
      const { account: _, ...rest } = ctx.query;
      const search = new URLSearchParams(rest).toString();
      const path = ["wechat-followers", ...ctx.params].map(encodeURIComponent).join("/");
      history.replaceState(null, "", `#/${path}${search ? `?${search}` : ""}`);
    }
    const progress = h("div", { class: "progress-area" });
    const tagsBox = h("div", { class: "tags-list" });
    const list = h("div", { class: "paged followers-list" });
    const selectionBar = h("div", { class: "selection-bar row" });
    const filter = { tag: ctx.query.tag ?? "", subscribed: ctx.query.subscribed ?? "" };
    const selected = new Set();
    let tags = [];
    let shown = [];
    let page = 1;
    let busy = false;  // a job of the selection bar runs: its buttons wait

    /** Run an accepted job to its end in the progress area, then show the tables again. */
    async function job(request, label) {
      busy = true;
      updateSelection();
      try {
        const { jobId } = await request;
        progress.replaceChildren();  // the last job's outcome stays until the next one starts
        const done = await watchJob(jobId, { container: progress, label, signal: ctx.signal });
        await Promise.all([loadTags(), show()]);
        return done;
      } finally {
        busy = false;
        updateSelection();
      }
    }

    // ------------------------------------------------------------------------------------------ syncs

    /** Follow a sync job to its end, its progress line updated as it goes; a stopped sync offers to go on. */
    async function followSync(jobId, label, resultKey) {
      busy = true;
      updateSelection();
      syncAllButton.disabled = true;
      try {
        progress.replaceChildren();
        const live = h("p", { class: "muted small sync-progress" });
        progress.append(live);
        const counts = (result) => ({ pages: 0, listed: 0, fetched: 0, following: 0, ...result });
        await poll(() => api("GET", `jobs/${encodeURIComponent(jobId)}`, undefined, { signal: ctx.signal }),
          (j) => j.status === "succeeded" || j.status === "failed", { interval: 1000, timeout: SYNC_TIMEOUT, signal: ctx.signal,
            onUpdate: (j) => { if (j.result?.phase) live.textContent = t(j.result.phase === "list" ? "followers.syncListing" : "followers.syncFetching", counts(j.result)); } });
        live.remove();
        const done = await watchJob(jobId, { container: progress, label, signal: ctx.signal });
        if (done.status === "succeeded") {
          progress.append(h("p", { class: "muted small sync-result" }, t(resultKey, counts(done.result))));
        } else if (done.result?.phase) {
          progress.append(h("p", { class: "small sync-result" }, t("followers.syncStopped", counts(done.result)), " ",
            h("button", { type: "button", class: "small", onclick: () => resumeSync(jobId, label, resultKey) }, t("followers.syncResume"))));
        }
        await Promise.all([loadTags(), show()]);
      } finally {
        busy = false;
        syncAllButton.disabled = false;
        updateSelection();
      }
    }

    /** Start a sync; when one already runs (409, another tab), follow that one instead. */
    async function startSync(path, label, resultKey) {
      let jobId;
      try {
        ({ jobId } = await api("POST", path, undefined, { query: accountQuery() }));
      } catch (err) {
        const running = err?.status === 409 && err.details?.find?.((d) => d.field === "jobId")?.value;
        if (!running) return toastError(err, label);
        jobId = running;
      }
      try {
        await followSync(jobId, label, resultKey);
      } catch (err) {
        toastError(err, label);
      }
    }

    async function resumeSync(jobId, label, resultKey) {
      try {
        await api("POST", `jobs/${encodeURIComponent(jobId)}/retry`);
        await followSync(jobId, label, resultKey);
      } catch (err) {
        toastError(err, label);
      }
    }

    const syncAllButton = h("button", { type: "button", title: t("followers.syncAllHelp"),
      onclick: () => startSync("wechat/followers/sync", t("followers.syncAllJob"), "followers.syncResult") }, t("followers.syncAll"));

    // ------------------------------------------------------------------------------------------ tags

    // Tag names are the account's data (dataset.data: the language checks skip them).
    const tagFilter = h("select", { name: "tag", dataset: { data: "" }, onchange: () => { filter.tag = tagFilter.value; show(1).catch(toastError); } });
    const subscribedFilter = h("select", { name: "subscribed", onchange: () => { filter.subscribed = subscribedFilter.value; show(1).catch(toastError); } },
      [["", t("followers.anyone")], ["true", t("followers.following")], ["false", t("followers.notFollowing")]].map(([value, label]) =>
        h("option", { value, selected: filter.subscribed === value }, label)));
    const tagPicker = h("select", { name: "members-tag", dataset: { data: "" }, "aria-label": t("followers.tagToApply") });

    async function loadTags() {
      ({ items: tags } = await api("GET", "wechat/tags", undefined, { query: accountQuery(), signal: ctx.signal }));
      fill(tagFilter, h("option", { value: "" }, t("followers.allTags")),
        tags.map((tag) => h("option", { value: String(tag.id), selected: filter.tag === String(tag.id) }, `${tag.name} (${tag.count})`)));
      const own = tags.filter((tag) => tag.id >= FIRST_OWN_TAG);
      const picked = tagPicker.value;  // the operator's choice survives the refresh after each job
      fill(tagPicker, own.length ? own.map((tag) => h("option", { value: String(tag.id), selected: String(tag.id) === picked }, tag.name))
        : h("option", { value: "" }, t("followers.noOwnTags")));
      fill(tagsBox, table([
        { label: t("followers.tag"), render: (tag) => [h("button", { type: "button", class: "link", dataset: { tag: tag.id, data: "" },
          title: t("followers.showTagged"), onclick: () => { filter.tag = String(tag.id); tagFilter.value = filter.tag; show(1).catch(toastError); } }, tag.name),
        h("span", { class: "muted small" }, ` #${tag.id}`)] },
        { label: t("followers.tagCount"), key: "count", class: "num tag-count" },
        { label: "", class: "actions-cell", render: (tag) => [
          h("button", { type: "button", class: "small sync-tag", title: t("followers.syncTagHelp"),
            onclick: () => startSync(`wechat/tags/${tag.id}/members/sync`, t("followers.syncTagJob", { name: tag.name }), "followers.syncTagResult") },
          t("followers.syncTag")), " ",
          tag.id >= FIRST_OWN_TAG
            ? h("button", { type: "button", class: "small danger", onclick: () => removeTag(tag) }, t("common.delete"))
            : h("span", { class: "badge badge-disabled", title: t("followers.wechatOwnHelp") }, t("followers.wechatOwn"))] },
      ], tags, { empty: t("followers.noTags") }),
      tags.length ? h("p", { class: "muted small" }, t("followers.tagsSynced", { time: fmtTime(tags[0].syncedAt) })) : null);
      updateSelection();
    }

    async function removeTag(tag) {
      if (!(await confirmDialog(t("followers.deleteTagAsk", { name: tag.name, count: tag.count }), { confirm: t("common.delete") }))) return;
      try {
        await job(api("DELETE", `wechat/tags/${tag.id}`, undefined, { query: accountQuery() }), t("followers.deleteTagJob", { name: tag.name }));
      } catch (err) {
        toastError(err, t("common.delete"));
      }
    }

    const tagForm = new Form({
      className: "inline-form",
      fields: [{ name: "name", label: t("followers.newTag"), required: true, placeholder: t("followers.newTagPlaceholder") }],
      submitLabel: t("followers.createTag"),
      onSubmit: async (values) => {
        const accepted = api("POST", "wechat/tags", values, { query: accountQuery() });
        try {
          await accepted;  // a 409 or 422 shows at the field before any job is watched
        } catch (err) {
          if (err?.code !== "conflict") throw err;
          throw Object.assign(new Error(err.message), { fieldErrors: [{ field: "name", message: t("followers.tagTaken") }] });
        }
        tagForm.element.reset();
        await job(accepted, t("followers.createTagJob", { name: values.name }));
      },
    });

    const syncTagsButton = h("button", { type: "button", onclick: syncTags }, t("followers.syncTags"));
    async function syncTags() {
      syncTagsButton.disabled = true;
      try {
        await job(api("POST", "wechat/tags/sync", undefined, { query: accountQuery() }), t("followers.syncTagsJob"));
      } catch (err) {
        toastError(err, t("followers.syncTags"));
      } finally {
        syncTagsButton.disabled = false;
      }
    }

    // ------------------------------------------------------------------------------------------ fetching

    const fetchForm = new Form({
      className: "inline-form",
      fields: [{ name: "openids", label: t("followers.openids"), type: "list", required: true, wide: true,
        placeholder: "oDemoFollower000000000000001, …", help: t("followers.openidsHelp") }],
      submitLabel: t("followers.fetch"),
      onSubmit: async (values) => {
        const accepted = api("POST", "wechat/followers/fetch", values, { query: accountQuery() });
        await accepted;
        fetchForm.element.reset();
        const done = await job(accepted, t("followers.fetchJob"));
        if (done.result) progress.append(h("p", { class: "muted small fetch-result" }, t("followers.fetchResult", done.result)));
      },
    });

    // "Fetch all again" fetches again every follower fetched so far, a job per 1000 (the fetch's limit), without
    // walking WeChat's list ("Sync all followers" does).
    const refreshAllButton = h("button", { type: "button", onclick: refreshAll }, t("followers.refreshAll"));
    async function refreshAll() {
      refreshAllButton.disabled = true;
      try {
        const openids = [];
        for (let offset = 0; ; offset += 200) {
          const { items, total } = await api("GET", "wechat/followers", undefined, { query: accountQuery({ limit: 200, offset }), signal: ctx.signal });
          openids.push(...items.map((f) => f.openid));
          if (!items.length || openids.length >= total) break;
        }
        for (let start = 0; start < openids.length; start += 1000) {
          await job(api("POST", "wechat/followers/fetch", { openids: openids.slice(start, start + 1000) }, { query: accountQuery() }),
            t("followers.refreshAllJob", { from: start + 1, to: Math.min(start + 1000, openids.length), total: openids.length }));
        }
      } catch (err) {
        toastError(err, t("followers.refreshAll"));
      } finally {
        refreshAllButton.disabled = false;
      }
    }

    // ------------------------------------------------------------------------------------------ followers

    function remarkDialog(follower) {
      const form = new Form({
        fields: [{ name: "remark", label: t("followers.remark"), value: follower.remark, keepEmpty: true, help: t("followers.remarkHelp") }],
        submitLabel: t("common.save"),
        cancel: () => handle.close(),
        onSubmit: async (values) => {
          const accepted = api("POST", `wechat/followers/${encodeURIComponent(follower.openid)}/remark`, values,
            { query: accountQuery() });
          await accepted;
          handle.close();
          await job(accepted, t("followers.remarkJob", { openid: follower.openid }));
        },
      });
      const handle = modal(t("followers.remarkTitle", { openid: follower.openid }), form.element);
    }

    function detail(follower) {
      modal(follower.remark || follower.openid, [
        h("dl", { class: "kv" }, followerFields(follower).map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)])),
        h("p", { class: "small" }, h("a", { href: `#/inbound?platform=wechat&fromUser=${encodeURIComponent(follower.openid)}` }, t("followers.messages"))),
      ]);
    }

    function updateSelection() {
      const count = selected.size;
      const off = busy || !count;
      const noTag = off || tagPicker.value === "";
      fill(selectionBar,
        h("span", { class: "muted" }, t("followers.selected", { count })),
        tagPicker,
        h("button", { type: "button", class: "small", disabled: noTag, onclick: () => members(true) }, t("followers.addTag")),
        h("button", { type: "button", class: "small", disabled: noTag, onclick: () => members(false) }, t("followers.removeTag")),
        h("button", { type: "button", class: "small", disabled: off, onclick: refreshSelected }, t("followers.refreshSelected")),
        count ? h("button", { type: "button", class: "link small", onclick: () => { selected.clear(); render(); } }, t("followers.clearSelection")) : null);
    }
    tagPicker.addEventListener("change", updateSelection);

    async function members(add) {
      const tag = tags.find((item) => String(item.id) === tagPicker.value);
      const openids = [...selected];
      const label = t(add ? "followers.addTagJob" : "followers.removeTagJob", { name: tag?.name ?? tagPicker.value, count: openids.length });
      try {
        await job(api("POST", `wechat/tags/${tagPicker.value}/members${add ? "" : "/remove"}`, { openids }, { query: accountQuery() }), label);
      } catch (err) {
        toastError(err, label);
      }
    }

    async function refreshSelected() {
      try {
        await job(api("POST", "wechat/followers/fetch", { openids: [...selected] }, { query: accountQuery() }), t("followers.fetchJob"));
      } catch (err) {
        toastError(err, t("followers.fetchJob"));
      }
    }

    function checkbox(follower) {
      return h("input", { type: "checkbox", name: "select", value: follower.openid, checked: selected.has(follower.openid),
        "aria-label": t("followers.selectOne", { openid: follower.openid }),
        onchange: (event) => { if (event.target.checked) selected.add(follower.openid); else selected.delete(follower.openid); render(); } });
    }

    let answer = { items: [], total: 0 };
    function render() {
      shown = answer.items;
      const all = shown.length > 0 && shown.every((f) => selected.has(f.openid));
      const every = h("input", { type: "checkbox", name: "select-page", checked: all, "aria-label": t("followers.selectPage"),
        onchange: (event) => { for (const f of shown) (event.target.checked ? selected.add(f.openid) : selected.delete(f.openid)); render(); } });
      fill(list, table([
        { label: every, class: "check-cell", render: checkbox },
        { label: t("followers.openid"), class: "wrap-anywhere", render: (f) => h("code", { class: "small" }, f.openid) },
        { label: t("followers.remark"), render: (f) => h("span", { class: "remark-cell" }, f.remark ? h("strong", { dataset: { data: "" } }, f.remark) : null,
          h("button", { type: "button", class: "link small", onclick: () => remarkDialog(f) }, f.remark ? t("common.edit") : t("followers.setRemark"))) },
        { label: t("followers.tags"), render: (f) => (f.tags.length ? h("span", {}, tagChips(f.tags)) : null) },
        { label: t("followers.status"), render: followingBadge },
        { label: t("followers.subscribedAt"), class: "nowrap", render: (f) => fmtTime(f.subscribedAt) },
        { label: t("followers.scene"), render: (f) => h("span", { class: "small" }, sceneText(f)) },
        { label: t("followers.fetchedAt"), class: "nowrap", render: (f) => fmtTime(f.fetchedAt) },
      ], shown, { empty: t("followers.empty"), onRow: detail }),
      pager({ page, limit: LIMIT, total: answer.total }, (p) => show(p).catch(toastError)));
      updateSelection();
    }

    async function show(wanted = page) {
      list.classList.add("loading");
      try {
        answer = await api("GET", "wechat/followers", undefined,
          { query: accountQuery({ ...filter, limit: LIMIT, offset: (wanted - 1) * LIMIT }), signal: ctx.signal });
        page = wanted;
        render();
      } finally {
        list.classList.remove("loading");
      }
    }

    root.append(
      pageHead(t("nav.followers"), { help: t("followers.help"), actions: [accountSwitcher(() => ctx.refresh(), { signal: ctx.signal }), syncAllButton, refreshAllButton, syncTagsButton] }),
      progress,
      h("div", { class: "grid followers-tools" },
        h("div", { class: "card" }, h("h2", {}, t("followers.fetchHeading")), fetchForm.element),
        h("div", { class: "card" }, h("h2", {}, t("followers.tagsHeading")), tagsBox, tagForm.element)),
      h("div", { class: "row followers-filters" }, h("h2", {}, t("followers.listHeading")), h("span", { class: "spacer" }),
        tagFilter, subscribedFilter),
      selectionBar, list);
    await Promise.all([loadTags(), show(1)]);
    if (ctx.params[0]) {
      const openid = ctx.params[0];
      api("GET", `wechat/followers/${encodeURIComponent(openid)}`, undefined, { query: accountQuery(), signal: ctx.signal }).then(detail, (err) => {
        if (err?.status !== 404) return toastError(err);
        return modal(openid, followerPanel(openid, null, { onFetched: () => show().catch(toastError) }));
      });
    }
  },
};
