// WeChat media: upload (drag and drop or a file picker; the upload is a job), list by kind, delete, sync.
import {
  api, badge, confirmDialog, fill, fmtTime, Form, h, pagedTable, pageHead, toast, toastError, watchJob,
} from "../app.js";
import { previewCell } from "../wechat/media-content.js";
import { KINDS, acceptFor, formatBytes, guessKind } from "../wechat/media-kinds.js";

export default {
  id: "wechat-media",
  title: "Media",
  group: "WeChat",
  async render(root, ctx) {
    const filter = { type: ctx.query.type || "", permanent: ctx.query.permanent || "" };
    const progress = h("div", { class: "progress-area" });
    const uploadArea = h("div", { class: "upload-area" });
    const tabs = h("div", { class: "tabs", role: "tablist" });
    const syncButton = h("button", { type: "button", onclick: sync }, "Sync from WeChat");
    const fileInput = h("input", { type: "file", name: "file", hidden: true, accept: acceptFor(null),
      onchange: () => { if (fileInput.files[0]) chosen(fileInput.files[0]); } });
    const dropzone = h("div", { class: "dropzone", id: "media-dropzone" },
      h("div", { class: "dropzone-title" }, "Drop an image, voice or video file here"),
      h("p", { class: "muted" }, "or ", h("button", { type: "button", class: "link", onclick: () => fileInput.click() }, "choose a file"),
        " · images up to 10 MB (bmp, png, jpeg, jpg, gif), voice 2 MB, video 10 MB (mp4), thumbnails 64 KB (jpg)"),
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
          { name: "media", label: "File", readonly: true, value: `${file.name} (${formatBytes(file.size)})` },
          { name: "type", label: "Kind", type: "select", options: KINDS, value: guessKind(file.name) || "image" },
          { name: "permanent", label: "Permanent material (temporary media expire after 3 days)", type: "checkbox", value: true },
          { name: "title", label: "Title", when: (v) => v.type === "video" && v.permanent },
          { name: "introduction", label: "Introduction", type: "textarea", rows: 2, when: (v) => v.type === "video" && v.permanent },
        ],
        submitLabel: "Upload",
        cancel: () => { uploadArea.replaceChildren(); fileInput.value = ""; },
        onSubmit: async (values) => {
          const data = new FormData();
          data.append("type", values.type);
          data.append("permanent", values.permanent ? "true" : "false");
          for (const name of ["title", "introduction"]) if (values[name] !== undefined) data.append(name, values[name]);
          data.append("media", file, file.name);
          const accepted = await api("POST", "wechat/media", data);
          uploadArea.replaceChildren();
          fileInput.value = "";
          list.reload(1);
          const job = await watchJob(accepted.jobId, { container: progress, label: `Uploading ${file.name}`, signal: ctx.signal });
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
      const what = media.permanent && media.mediaId ? "It is deleted from WeChat too (a job)." : "Only the local record is deleted.";
      if (!(await confirmDialog(`Delete ${media.name || media.mediaId}? ${what}`, { confirm: "Delete" }))) return;
      try {
        const answer = await api("DELETE", `wechat/media/${media.id}`);
        if (answer?.jobId) await watchJob(answer.jobId, { container: progress, label: `Deleting ${media.name || media.mediaId}`, signal: ctx.signal });
        else toast("Deleted", "success");
        list.reload();
        loadCounts();
      } catch (err) {
        toastError(err, "Delete");
      }
    }

    async function sync() {
      syncButton.disabled = true;
      try {
        const { jobId } = await api("POST", "wechat/media/sync");
        await watchJob(jobId, { container: progress, label: "Media sync", signal: ctx.signal });
        list.reload(1);
        loadCounts();
      } catch (err) {
        toastError(err, "Sync");
      } finally {
        syncButton.disabled = false;
      }
    }

    let counts = null;
    async function loadCounts() {
      try {
        counts = await api("GET", "wechat/media/counts", undefined, { signal: ctx.signal });
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
        dataset: { kind: kind || "all" }, onclick: () => { filter.type = kind; renderTabs(); list.reload(1); } }, `${kind || "all"}${count(kind)}`)),
      h("span", { class: "spacer" }),
      h("select", { name: "permanent", class: "tabs-select", onchange: (e) => { filter.permanent = e.target.value; list.reload(1); } },
        [["", "permanent and temporary"], ["true", "permanent"], ["false", "temporary"]].map(([value, label]) =>
          h("option", { value, selected: filter.permanent === value }, label))));
    }

    const list = pagedTable({
      limit: 20,
      load: (page, limit) => api("GET", "wechat/media", undefined, { query: { ...filter, page, limit }, signal: ctx.signal }),
      empty: "No media of this kind yet.",
      columns: [
        { label: "", class: "preview-cell", render: (m) => previewCell(m, { progress, signal: ctx.signal, reload: () => list.reload() }) },
        { label: "Name", render: (m) => h("div", {}, h("strong", {}, m.name || "—"), m.title ? h("div", { class: "muted small" }, m.title) : null) },
        { label: "Kind", render: (m) => [m.type, " ", h("span", { class: "muted small" }, m.permanent ? "permanent" : "temporary")] },
        { label: "Status", render: (m) => [badge(m.status), m.lastError ? h("div", { class: "job-error small" }, m.errcode ? `${m.errcode}: ${m.lastError}` : m.lastError) : null] },
        { label: "Media id", render: (m) => (m.mediaId ? h("code", { class: "small", title: m.mediaId }, m.mediaId.length > 24 ? `${m.mediaId.slice(0, 24)}…` : m.mediaId) : null) },
        { label: "Size", class: "num", render: (m) => formatBytes(m.size) },
        { label: "Uploaded", render: (m) => fmtTime(m.uploadedAt || m.createdAt) },
        { label: "", class: "actions-cell", render: (m) => h("button", { type: "button", class: "small danger",
          disabled: m.status === "uploading" || m.status === "deleting", onclick: () => remove(m) }, "Delete") },
      ],
    });

    root.append(pageHead("Media", { help: "Permanent material and temporary media of the Official Account. An upload is a job: its progress shows below.",
      actions: [syncButton] }), h("div", { class: "card" }, dropzone), progress, tabs, list.element);
    renderTabs();
    loadCounts();
    return () => { if (previewUrl) URL.revokeObjectURL(previewUrl); };
  },
};
