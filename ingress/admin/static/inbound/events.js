// Webhook subscription filters as models/webhooks.py accepts them: "*", a MsgType, or "event:<Event>".

export const FILTER_PATTERN = /^(\*|[a-z_]{1,32}|event:[A-Za-z0-9_]{1,64})$/;

/** The entries of a comma- or space-separated filter text, without blanks or repeats, in order. */
export function parseEvents(text) {
  return [...new Set(String(text ?? "").split(/[\s,]+/).filter(Boolean))];
}

/** The entries the server would refuse (shown live under the field). */
export function invalidEvents(entries) {
  return entries.filter((entry) => !FILTER_PATTERN.test(entry));
}
