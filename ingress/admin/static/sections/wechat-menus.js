// WeChat menus: drafts edited in the visual editor (wechat/menu-editor.js), published, compared with the live
// menu, imported from it, and the live menu cleared. Publishing, importing and clearing are jobs.
import {
  api, ApiError, badge, confirmDialog, fill, fmtTime, h, modal, pageHead, t, table, toast, toastError, watchJob,
} from "../app.js";
import { accountQuery, accountSwitcher } from "../wechat/account.js";
import { MenuEditor, PATH_WORDS } from "../wechat/menu-editor.js";
import { MAX_BUTTONS, MAX_SUB_BUTTONS } from "../wechat/menu-rules.js";
import { addButton, describePath, normalize } from "../wechat/menu-tree.js";

const snapshot = (draft) => JSON.stringify({ name: draft.name, remark: draft.remark || "", buttons: draft.buttons });
const fromApi = (menu) => ({ id: menu.id, name: menu.name, remark: menu.remark || "", buttons: normalize(menu.buttons),
  published: menu.published });

export default {
  id: "wechat-menus",
  title: t("nav.menus"),
  group: t("platform.wechat"),
  async render(root, ctx) {
    let menus = [];
    let draft = null; // {id, name, remark, buttons, published}
    let saved = ""; // the draft as last saved, to know when it changed
    let editor = null;

    const drafts = h("div", { class: "menu-drafts" });
    const progress = h("div", { class: "progress-area" });
    const pane = h("div", { class: "menu-editor" });
    const importButton = h("button", { type: "button", onclick: importLive }, t("menus.import"));
    const clearButton = h("button", { type: "button", class: "danger", onclick: clearLive }, t("menus.clear"));
    const saveButton = h("button", { type: "button", class: "primary", onclick: () => save() });

    root.append(pageHead(t("nav.menus"), {
      help: t("menus.help", { buttons: MAX_BUTTONS, subs: MAX_SUB_BUTTONS }),
      actions: [accountSwitcher(() => ctx.refresh(), { signal: ctx.signal }), importButton, clearButton] }),
    progress, h("div", { class: "menu-layout" }, drafts, pane));

    async function loadList() {
      ({ items: menus } = await api("GET", "wechat/menus", undefined, { query: accountQuery(), signal: ctx.signal }));
      renderList();
    }

    function renderList() {
      fill(drafts, h("div", { class: "card" },
        h("div", { class: "row" }, h("h2", {}, t("menus.drafts")), h("span", { class: "spacer" }),
          h("button", { type: "button", class: "small primary", onclick: () => guard(() => open(null)) }, t("menus.newDraft"))),
        menus.length ? h("ul", { class: "draft-list" }, [...menus].reverse().map((menu) => h("li", {
          class: draft && draft.id === menu.id ? "active" : undefined, dataset: { menu: menu.id } },
        h("button", { type: "button", class: "link draft-open", onclick: () => guard(() => open(menu.id)) }, menu.name),
        menu.published ? badge("live") : null,
        h("div", { class: "muted small" }, `#${menu.id} · ${fmtTime(menu.updatedAt)}`))))
          : h("p", { class: "muted" }, t("menus.noDrafts"))));
    }

    /** Run `action` unless the operator would rather keep unsaved changes. */
    async function guard(action) {
      if (draft && snapshot(draft) !== saved
        && !(await confirmDialog(t("menus.unsavedAsk"), { confirm: t("menus.leave") }))) return;
      await action();
    }

    async function open(menuId) {
      if (menuId === null) {
        draft = { id: null, name: "", remark: "", buttons: [], published: false };
        addButton(draft.buttons);
        saved = "";
      } else {
        draft = fromApi(await api("GET", `wechat/menus/${menuId}`));
        saved = snapshot(draft);
      }
      renderList();
      renderEditor();
    }

    function renderEditor() {
      if (!draft) {
        editor = null;
        fill(pane, h("div", { class: "card empty muted" }, t("menus.pick")));
        return;
      }
      editor = new MenuEditor(draft, { signal: ctx.signal });
      saveButton.textContent = draft.published ? t("menus.saveAsNew") : t("menus.save");
      fill(pane, h("div", { class: "card" },
        draft.published ? h("p", { class: "notice" }, t("menus.liveNotice")) : null,
        editor.element,
        h("div", { class: "actions" },
          draft.id && !draft.published ? h("button", { type: "button", class: "danger", onclick: deleteDraft }, t("menus.deleteDraft")) : null,
          h("span", { class: "spacer" }),
          draft.id ? h("button", { type: "button", onclick: diff }, t("menus.compare")) : null,
          saveButton,
          !draft.published ? h("button", { type: "button", class: "primary", onclick: publish }, t("menus.publish")) : null)));
    }

    /** The API's answer to a save or publish: a 422 goes to the editor's fields, anything else to a toast. */
    function refused(err, what) {
      if (err instanceof ApiError && err.status === 422 && editor) editor.showServerError(err);
      else toastError(err, what);
    }

    /** Save the draft (a new row when it has none or is the live one); true when saved. A second call while
     * one is on its way gets the same answer (never two rows from one double click). */
    let saving = null;
    function save(options) {
      saving ??= store(options).finally(() => { saving = null; });
      return saving;
    }

    async function store({ quiet = false } = {}) {
      const body = { name: draft.name, remark: draft.remark || null, buttons: draft.buttons };
      saveButton.disabled = true;
      try {
        const menu = draft.id && !draft.published
          ? await api("PUT", `wechat/menus/${draft.id}`, body)
          : await api("POST", "wechat/menus", body, { query: accountQuery() });
        draft = fromApi(menu);
        saved = snapshot(draft);
        if (!quiet) toast(t("menus.savedToast", { name: menu.name }), "success");
        await loadList();
        renderEditor();
        return true;
      } catch (err) {
        refused(err, t("common.save"));
        return false;
      } finally {
        saveButton.disabled = false;
      }
    }

    async function saveIfChanged() {
      return draft.id && snapshot(draft) === saved ? true : save({ quiet: true });
    }

    async function publish() {
      if (!(await saveIfChanged())) return;
      const { id, name } = draft;
      try {
        const { jobId } = await api("POST", `wechat/menus/${id}/publish`);
        progress.replaceChildren();
        const job = await watchJob(jobId, { container: progress, label: t("menus.publishing", { name }), signal: ctx.signal });
        await loadList();
        if (job.status === "succeeded") await open(id);
      } catch (err) {
        refused(err, t("menus.publish"));
      }
    }

    async function diff() {
      if (!(await saveIfChanged())) return;
      try {
        const answer = await api("GET", `wechat/menus/${draft.id}/diff`);
        const value = (v) => (v === null || v === undefined ? "—"
          : typeof v === "object" ? h("code", { class: "small" }, JSON.stringify(v)) : String(v));
        modal(t("menus.diffTitle", { name: draft.name }), [
          answer.publishedId === null ? h("p", { class: "muted" }, t("menus.noneLive")) : null,
          answer.same ? h("p", { class: "ok-line" }, t("menus.same"))
            : table([
              { label: t("menus.where"), render: (c) => describePath(c.path, draft.buttons, PATH_WORDS) },
              { label: t("menus.change"), render: (c) => h("span", { class: `change change-${c.change}` }, t(`menus.change.${c.change}`)) },
              { label: t("menus.live"), render: (c) => value(c.published) },
              { label: t("menus.draft"), render: (c) => value(c.draft) },
            ], answer.changes),
        ], { wide: true });
      } catch (err) {
        toastError(err, t("menus.compare"));
      }
    }

    async function deleteDraft() {
      if (!(await confirmDialog(t("menus.deleteAsk", { name: draft.name }), { confirm: t("common.delete") }))) return;
      try {
        await api("DELETE", `wechat/menus/${draft.id}`);
        toast(t("menus.deletedToast"), "success");
        draft = null;
        saved = "";
        await loadList();
        renderEditor();
      } catch (err) {
        toastError(err, t("common.delete"));
      }
    }

    async function runJob(button, path, label) {
      button.disabled = true;
      try {
        const { jobId } = await api("POST", path, undefined, { query: accountQuery() });
        progress.replaceChildren();
        return await watchJob(jobId, { container: progress, label, signal: ctx.signal });
      } catch (err) {
        toastError(err, label);
        return null;
      } finally {
        button.disabled = false;
      }
    }

    async function importLive() {
      await guard(async () => {
        const job = await runJob(importButton, "wechat/menus/import", t("menus.importing"));
        await loadList();
        if (job?.status === "succeeded" && job.result?.menuId) await open(job.result.menuId);
        else if (job?.status === "succeeded") toast(job.result?.detail || t("menus.noMenuLive"), "info");
      });
    }

    async function clearLive() {
      if (!(await confirmDialog(t("menus.clearAsk"), { confirm: t("filters.clear") }))) return;
      await runJob(clearButton, "wechat/menus/clear", t("menus.clearing"));
      await loadList();
      if (draft?.published) await open(draft.id);
    }

    await loadList();
    const wanted = Number(ctx.params[0]);
    const initial = menus.find((m) => m.id === wanted) || menus.find((m) => !m.published) || menus.find((m) => m.published);
    if (initial) await open(initial.id);
    else renderEditor();
    const beforeUnload = (event) => { if (draft && snapshot(draft) !== saved) event.preventDefault(); };
    window.addEventListener("beforeunload", beforeUnload);
    return () => window.removeEventListener("beforeunload", beforeUnload);
  },
};
