// A media row's bytes in the list: a thumbnail for a stored image, a download for other stored files, and a
// "Fetch" that asks WeChat for a material's content (get_material, a job). The bytes come from
// GET /api/v1/blobs/{id}/content, which wants the key in a header: an <img src> cannot send it, so the file is
// fetched with the key and shown through an object URL (the page's policy allows blob: images).
import { api, apiKey, h, t, toast, toastError, watchJob } from "../app.js";

const INLINE = ["image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"];

async function bytesOf(media, signal) {
  const response = await fetch(`/api/v1/blobs/${encodeURIComponent(media.blobId)}/content`,
    { headers: { Authorization: `Bearer ${apiKey()}` }, signal });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.blob();
}

/** A 48 px thumbnail of a stored image (filled in when its bytes arrive). */
export function thumbnail(media, signal) {
  const img = h("img", { class: "media-thumb", alt: media.name || "", loading: "lazy" });
  bytesOf(media, signal).then((blob) => {
    img.src = URL.createObjectURL(blob);
    img.addEventListener("load", () => URL.revokeObjectURL(img.src), { once: true });
  }).catch(() => { img.replaceWith(h("span", { class: "muted small" }, "—")); });
  return img;
}

async function download(media, signal) {
  try {
    const url = URL.createObjectURL(await bytesOf(media, signal));
    const link = h("a", { href: url, download: media.name || "media" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    toastError(err, t("media.download"));
  }
}

async function fetchMaterial(media, { progress, signal, reload }) {
  try {
    const { jobId } = await api("POST", `wechat/media/${media.id}/fetch`);
    const job = await watchJob(jobId, { container: progress, label: t("media.fetching", { name: media.name || media.mediaId }), signal });
    const link = job.result?.material?.down_url;
    if (link) progress.lastChild?.append(" ", h("a", { href: link, target: "_blank", rel: "noopener noreferrer" }, t("media.videoLink")));
    else if (job.status === "succeeded") toast(t("media.fetched"), "success");
    reload();
  } catch (err) {
    toastError(err, t("media.fetch"));
  }
}

/** The list's preview cell of `media`. */
export function previewCell(media, context) {
  if (media.blobId && INLINE.includes(media.contentType)) return thumbnail(media, context.signal);
  if (media.blobId) return h("button", { type: "button", class: "small link", onclick: () => download(media, context.signal) }, t("media.download"));
  if (media.permanent && media.mediaId && media.status === "ready") {
    return h("button", { type: "button", class: "small link", onclick: () => fetchMaterial(media, context) }, t("media.fetch"));
  }
  return null;
}
