// Webhooks: a placeholder until its section is built.
import { h, pageHead } from "../app.js";

export default {
  id: "webhooks",
  title: "Webhooks",
  group: "Inbound",
  render(root) {
    root.append(pageHead("Webhooks"), h("p", { class: "card muted" }, "Not built yet."));
  },
};
