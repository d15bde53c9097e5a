// WeChat media: upload (drag and drop or a file picker; the upload is a job), list by kind, delete, sync.
import {
  api, badge, confirmDialog, fill, fmtTime, Form, h, pagedTable, pageHead, t, toast, toastError, watchJob,
} from "../app.js";
import { accountQuery, accountSwitcher } from "../wechat/account.js";
import { previewCell } from "../wechat/media-content.js";
import { KINDS, acceptFor, formatBytes, guessKind } from "../wechat/media-kinds.js";

export default {
  id: "wechat-media",
  title: t("nav.media"),
  group: t("platform.wechat"),
  async render(root, ctx) {
    const filter = { type: ctx.query.type || "", permanent: ctx.query.permanent || "" };
    const progress = h("div", { class: "progress-area" });
    const uploadArea = h("div", { class: "upload-area" });
    const tabs = h("div", { class: "tabs", role: "tablist" });
    const syncButton = h("button", { type: "button", onclick: sync }, t("wechat.sync"));
    const fileInput = h("input", { type: "file", name: "file", hidden: true, accept: acceptFor(null),
      onchange: () => { if (fileInput.files[0]) chosen(fileInput.files[0]); } });
    const dropzone = h("div", { class: "dropzone", id: "media-dropzone" },
      h("div", { class: "dropzone-title" }, t("media.drop")),
      h("p", { class: "muted" }, `${t("media.or")} `, h("button", { type: "button", class: "link", onclick: () => fileInput.click() }, t("media.choose")),
        ` · ${t("media.limits")}`),
      fileInput, uploadArea);
    for (const name of ["dragenter", "dragover"]) {
      dropzone.addEventListener(name, (event) => { event.preventDefault(); dropzone.classList.add("dragging"); });
    }
    dropzone.addEventListener("dragleave", (event) => { if (!dropzone.contains(event.relatedTarget)) dropzone.classList.remove("dragging"); });
    dropzone.addEventListener("drop", (event) => {
      event.preventDefault();
      dropzone.classList.remove("dragging");
      const file = event.dataTransfer?.files?.[0];
      if (file) chosen(file);
    });

    let previewUrl = null;
    function chosen(file) {
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = file.type.startsWith("image/") ? URL.createObjectURL(file) : null;
      const form = new Form({
        fields: [
          { name: "media", label: t("media.file"), readonly: true, value: `${file.name} (${formatBytes(file.size)})` },
          { name: "type", label: t("media.kind"), type: "select", options: KINDS.map((value) => ({ value, label: t(`media.kind.${value}`) })), value: guessKind(file.name) || "image" },
          { name: "permanent", label: t("media.permanentLabel"), type: "checkbox", value: true },
          { name: "title", label: t("compose.title"), when: (v) => v.type === "video" && v.permanent },
          { name: "introduction", label: t("media.introduction"), type: "textarea", rows: 2, when: (v) => v.type === "video" && v.permanent },
        ],
        submitLabel: t("media.upload"),
        cancel: () => { uploadArea.replaceChildren(); fileInput.value = ""; },
        onSubmit: async (values) => {
          const data = new FormData();
          data.append("type", values.type);
          data.append("permanent", values.permanent ? "true" : "false");
          for (const name of ["title", "introduction"]) if (values[name] !== undefined) data.append(name, values[name]);
          data.append("media", file, file.name);
          const accepted = await api("POST", "wechat/media", data, { query: accountQuery() });
          uploadArea.replaceChildren();
          fileInput.value = "";
          list.reload(1);
          const job = await watchJob(accepted.jobId, { container: progress, label: t("media.uploading", { name: file.name }), signal: ctx.signal });
          if (job.status === "succeeded") progress.lastChild?.append(h("span", { class: "muted small" }, ` media_id ${job.result?.mediaId ?? ""}`));
          list.reload();
          loadCounts();
        },
      });
      fill(uploadArea, h("div", { class: "upload-row" },
        previewUrl ? h("img", { class: "upload-preview", src: previewUrl, alt: "" }) : h("div", { class: "upload-preview" }, file.name.split(".").pop()),
        form.element));
    }

    async function remove(media) {
      const what = media.permanent && media.mediaId ? t("media.deleteRemote") : t("media.deleteLocal");
      if (!(await confirmDialog(t("media.deleteAsk", { name: media.name || media.mediaId, what }), { confirm: t("common.delete") }))) return;
      try {
        const answer = await api("DELETE", `wechat/media/${media.id}`);
        if (answer?.jobId) await watchJob(answer.jobId, { container: progress, label: t("media.deleting", { name: media.name || media.mediaId }), signal: ctx.signal });
        else toast(t("common.deleted"), "success");
        list.reload();
        loadCounts();
      } catch (err) {
        toastError(err, t("common.delete"));
      }
    }

    async function sync() {
      syncButton.disabled = true;
      try {
        const { jobId } = await api("POST", "wechat/media/sync", undefined, { query: accountQuery() });
        await watchJob(jobId, { container: progress, label: t("media.syncJob"), signal: ctx.signal });
        list.reload(1);
        loadCounts();
      } catch (err) {
        toastError(err, t("wechat.syncShort"));
      } finally {
        syncButton.disabled = false;
      }
    }

    let counts = null;
    async function loadCounts() {
      try {
        counts = await api("GET", "wechat/media/counts", undefined, { query: accountQuery(), signal: ctx.signal });
      } catch (err) {
        if (err?.name !== "AbortError") toastError(err);
      }
      renderTabs();
    }

    function count(kind) {
      if (!counts) return "";
      const local = counts.local || {};
      const n = ["permanent", "temporary"].reduce((sum, k) => sum + Object.entries(local[k] || {})
        .filter(([type]) => !kind || type === kind).reduce((s, [, v]) => s + v, 0), 0);
      return ` (${n})`;
    }

    function renderTabs() {
      fill(tabs, ["", ...KINDS].map((kind) => h("button", { type: "button", role: "tab", class: filter.type === kind ? "active" : undefined,
        dataset: { kind: kind || "all" }, onclick: () => { filter.type = kind; renderTabs(); list.reload(1); } }, `${kind ? t(`media.kind.${kind}`) : t("media.all")}${count(kind)}`)),
      h("span", { class: "spacer" }),
      h("select", { name: "permanent", class: "tabs-select", onchange: (e) => { filter.permanent = e.target.value; list.reload(1); } },
        [["", t("media.both")], ["true", t("media.permanent")], ["false", t("media.temporary")]].map(([value, label]) =>
          h("option", { value, selected: filter.permanent === value }, label))));
    }

    const list = pagedTable({
      limit: 20,
      load: (page, limit) => api("GET", "wechat/media", undefined,
        { query: accountQuery({ ...filter, page, limit }), signal: ctx.signal }),
      empty: t("media.empty"),
      columns: [
        { label: "", class: "preview-cell", render: (m) => previewCell(m, { progress, signal: ctx.signal, reload: () => list.reload() }) },
        { label: t("robots.name"), render: (m) => h("div", {}, h("strong", {}, m.name || "—"), m.title ? h("div", { class: "muted small" }, m.title) : null) },
        { label: t("media.kind"), render: (m) => [t(`media.kind.${m.type}`), " ", h("span", { class: "muted small" }, m.permanent ? t("media.permanent") : t("media.temporary"))] },
        { label: t("notifications.status"), render: (m) => [badge(m.status), m.lastError ? h("div", { class: "job-error small" }, m.errcode ? `${m.errcode}: ${m.lastError}` : m.lastError) : null] },
        { label: t("media.mediaId"), render: (m) => (m.mediaId ? h("code", { class: "small", title: m.mediaId }, m.mediaId.length > 24 ? `${m.mediaId.slice(0, 24)}…` : m.mediaId) : null) },
        { label: t("media.size"), class: "num", render: (m) => formatBytes(m.size) },
        { label: t("media.uploaded"), class: "nowrap", render: (m) => fmtTime(m.uploadedAt || m.createdAt) },
        { label: "", class: "actions-cell", render: (m) => h("button", { type: "button", class: "small danger",
          disabled: m.status === "uploading" || m.status === "deleting", onclick: () => remove(m) }, t("common.delete")) },
      ],
    });

    root.append(pageHead(t("nav.media"), { help: t("media.help"),
      actions: [accountSwitcher(() => ctx.refresh(), { signal: ctx.signal }), syncButton] }),
    h("div", { class: "card" }, dropzone), progress, tabs, list.element);
    renderTabs();
    loadCounts();
    return () => { if (previewUrl) URL.revokeObjectURL(previewUrl); };
  },
};
