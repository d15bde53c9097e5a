// System: alerts in force (a banner per spent platform quota), token health per app, queue depths, recent job
// failures and deliveries per minute by status, from GET /api/v1/system/status; refreshed every few seconds while
// shown.
import { api, badge, fmtAge, fmtTime, h, pageHead, statusLabel, svg, t as tr, table, toastError, watchJob } from "../app.js";
import { formatHourMinute, locale } from "../i18n.js";

const REFRESH_MS = 10000;
/** Bar colours by delivery status (the order they stack in, bottom up). */
const STATUS_COLOURS = [
  ["sent", "#16a34a"], ["sending", "#f59e0b"], ["queued", "#38bdf8"], ["retrying", "#fb923c"],
  ["failed", "#dc2626"], ["dead", "#7f1d1d"],
];

function tokenState(t) {
  if (t.lastError && (!t.lastFetchAt || new Date(t.lastErrorAt) > new Date(t.lastFetchAt))) return "error";
  if (!t.cached) return t.fetchCount ? "expired" : "none";
  return t.refreshInSeconds > 0 ? "fresh" : "stale";
}

/** The app's name in the page's language (``platform.<app>``); an app without one as the API names it. */
function appLabel(app) {
  const text = tr(`platform.${app}`);
  return text === `platform.${app}` ? app : text;
}

function tokenCard(t) {
  const state = tokenState(t);
  return h("div", { class: "card token-card", dataset: { app: t.app } },
    h("div", { class: "row" }, h("h2", { title: t.app }, appLabel(t.app)), h("span", { class: "spacer" }), badge(state)),
    h("p", { class: "muted small" }, h("code", {}, t.appKey)),
    h("dl", { class: "kv" },
      h("dt", {}, tr("system.age")), h("dd", { class: "token-age" }, t.ageSeconds === null ? tr("system.neverFetched") : fmtAge(t.ageSeconds)),
      h("dt", {}, tr("system.cachedFor")), h("dd", {}, t.expiresInSeconds === null ? "—" : fmtAge(t.expiresInSeconds)),
      h("dt", {}, tr("system.nextRefresh")), h("dd", {}, t.refreshInSeconds ? tr("system.inAge", { age: fmtAge(t.refreshInSeconds) }) : tr("system.nextCheck")),
      h("dt", {}, tr("system.fetches")), h("dd", { class: "token-fetches" }, String(t.fetchCount)),
      h("dt", {}, tr("system.errors")), h("dd", {}, String(t.errorCount)),
      t.lastError ? [h("dt", {}, tr("notifications.lastError")), h("dd", { class: "job-error" }, `${t.lastError} (${fmtTime(t.lastErrorAt)})`)] : null));
}

/** A spent quota, in the page's language as the API words it (the API keeps the one catalogue). */
function alertBanner(a) {
  return h("div", { class: "alert-banner", role: "alert", lang: locale, dataset: { kind: a.kind, platform: a.platform } },
    h("strong", {}, a.message[locale] || a.message.en),
    a.errmsg ? h("span", { class: "muted small" }, a.errmsg) : null);
}

/** Stacked bars of deliveries per minute by status, as inline SVG. */
export function deliveriesChart(minutes) {
  const width = 900, height = 220, left = 36, bottom = 22, top = 10, right = 8;
  const totals = minutes.map((m) => Object.values(m.counts).reduce((a, b) => a + b, 0));
  const peak = Math.max(1, ...totals);
  const step = niceStep(peak);
  const yMax = Math.ceil(peak / step) * step;
  const plotW = width - left - right, plotH = height - top - bottom;
  const barW = plotW / minutes.length;
  const y = (value) => top + plotH - (value / yMax) * plotH;
  const parts = [];
  for (let v = 0; v <= yMax; v += step) {
    parts.push(svg("line", { x1: left, x2: width - right, y1: y(v), y2: y(v), stroke: "#e3e7ee" }),
      svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" }, String(v)));
  }
  minutes.forEach((m, i) => {
    let base = 0;
    const x = left + i * barW;
    for (const [status, colour] of STATUS_COLOURS) {
      const count = m.counts[status] || 0;
      if (!count) continue;
      parts.push(svg("rect", { x: x + barW * 0.12, width: Math.max(1, barW * 0.76), y: y(base + count), height: y(base) - y(base + count),
        fill: colour, "data-status": status, "data-minute": m.minute },
      svg("title", {}, `${fmtTime(m.minute)}: ${count} ${statusLabel(status)}`)));
      base += count;
    }
    const every = Math.max(1, Math.round(minutes.length / 8));
    if (i % every === 0) {
      const label = formatHourMinute(new Date(m.minute));
      parts.push(svg("text", { x: x + barW / 2, y: height - 6, "text-anchor": "middle" }, label));
    }
  });
  const total = totals.reduce((a, b) => a + b, 0);
  return h("div", { class: "chart-box" },
    svg("svg", { class: "chart", id: "deliveries-chart", viewBox: `0 0 ${width} ${height}`, role: "img",
      "aria-label": tr("system.chartLabel", { total, minutes: minutes.length }) }, parts),
    h("div", { class: "legend" }, STATUS_COLOURS.map(([status, colour]) => h("span", {}, h("i", { style: { background: colour } }), statusLabel(status))),
      h("span", { class: "muted" }, tr("system.chartTotal", { total, minutes: minutes.length }))));
}

function niceStep(peak) {
  const raw = peak / 4;
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  return [1, 2, 5, 10].map((f) => f * power).find((s) => s >= raw) || power * 10;
}

export default {
  id: "system",
  title: tr("nav.status"),
  group: tr("nav.groupSystem"),
  async render(root, ctx) {
    const body = h("div", {});
    const stamp = h("span", { class: "muted small" });
    root.append(pageHead(tr("system.heading"), { help: tr("system.help"),
      actions: [stamp, h("button", { type: "button", onclick: () => load() }, tr("common.refresh"))] }), body);

    async function retry(job, cell) {
      try {
        await api("POST", `jobs/${encodeURIComponent(job.id)}/retry`);
        cell.replaceChildren();
        await watchJob(job.id, { container: cell, label: job.kind, signal: ctx.signal });
      } catch (err) { toastError(err); }
    }

    async function load() {
      let status;
      try {
        status = await api("GET", "system/status", undefined, { signal: ctx.signal });
      } catch (err) {
        if (err.name !== "AbortError") toastError(err);
        return;
      }
      stamp.textContent = tr("system.asOf", { time: fmtTime(status.generatedAt) });
      const failures = status.recentJobFailures;
      body.replaceChildren(
        ...(status.alerts || []).map(alertBanner),
        h("h2", {}, tr("system.tokens")),
        status.tokens.length ? h("div", { class: "grid tokens" }, status.tokens.map(tokenCard))
          : h("p", { class: "empty muted" }, tr("system.noApp")),
        h("div", { class: "card" }, h("h2", {}, tr("system.perMinute")), deliveriesChart(status.deliveriesPerMinute)),
        h("div", { class: "grid" },
          h("div", {}, h("h2", {}, tr("system.queues")), table([
            { label: tr("system.queue"), render: (q) => h("code", {}, q.queue) },
            { label: tr("system.ready"), key: "ready", class: "num" },
            { label: tr("system.delayed"), key: "delayed", class: "num" },
            { label: tr("system.inProgress"), render: (q) => (q.inProgress === null ? tr("system.notAvailable") : String(q.inProgress)), class: "num" },
            { label: tr("system.deadLetters"), render: (q) => (q.dead ? h("span", { class: "job-error" }, String(q.dead)) : "0"), class: "num" },
          ], status.queues, { empty: tr("system.noQueue") })),
          h("div", {}, h("h2", {}, tr("system.jobFailures")), table([
            { label: tr("notifications.finished"), class: "nowrap", render: (j) => fmtTime(j.finishedAt) },
            { label: tr("system.job"), render: (j) => h("code", {}, j.kind) },
            { label: tr("system.error"), render: (j) => h("span", { class: "job-error" }, `${j.errcode ? `errcode ${j.errcode}: ` : ""}${j.error || ""}`) },
            { label: "", class: "actions-cell", render: (j) => {
              const cell = h("div", {}, h("button", { type: "button", class: "small", onclick: () => retry(j, cell) }, tr("notifications.retry")));
              return cell;
            } },
          ], failures, { empty: tr("system.noFailures") }))));
    }

    await load();
    const timer = setInterval(() => { if (!document.hidden) load(); }, REFRESH_MS);
    return () => clearInterval(timer);
  },
};
