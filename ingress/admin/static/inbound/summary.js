// One line for an inbound record in a list: what the follower said or did, from the platform's own fields.

/** The record's gist: a text's content, an event's key, a link's title, a location's label; "" when none. */
export function summarize(record) {
  const f = record.fields || {};
  if (record.msgType === "text") return f.Content ?? "";
  if (record.msgType === "event") return [record.event, record.eventKey].filter(Boolean).join(" · ");
  if (record.msgType === "link") return f.Title || f.Url || "";
  if (record.msgType === "location") return f.Label || [f.Location_X, f.Location_Y].filter(Boolean).join(", ");
  if (record.msgType === "image") return f.PicUrl || f.MediaId || "";
  return f.MediaId || f.Recognition || "";
}
