// Media kinds as platforms/wechat/media_rules.py has them: enough to pick a kind from a dropped file's name.
// The server checks extension and size again (one 422 with every problem); this only saves the operator a click.

/** Kind -> the extensions permanent material of that kind may have (temporary voice: amr, mp3 only). */
export const KIND_EXTENSIONS = {
  image: ["bmp", "png", "jpeg", "jpg", "gif"],
  voice: ["mp3", "wma", "wav", "amr"],
  video: ["mp4"],
  thumb: ["jpg", "jpeg"],
};
export const KINDS = Object.keys(KIND_EXTENSIONS);

export function extension(filename) {
  const dot = filename.lastIndexOf(".");
  return dot < 0 ? "" : filename.slice(dot + 1).toLowerCase();
}

/** The kind a file most likely is (a jpg is an image, not a thumb, unless chosen); null when none fits. */
export function guessKind(filename) {
  const ext = extension(filename);
  return KINDS.find((kind) => KIND_EXTENSIONS[kind].includes(ext)) ?? null;
}

/** The accept attribute of a file input for `kind`. */
export function acceptFor(kind) {
  return (KIND_EXTENSIONS[kind] || Object.values(KIND_EXTENSIONS).flat()).map((ext) => `.${ext}`).join(",");
}

export function formatBytes(size) {
  if (size == null) return "";
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}
