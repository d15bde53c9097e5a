// Status: a placeholder until its section is built.
import { h, pageHead } from "../app.js";

export default {
  id: "system",
  title: "Status",
  group: "System",
  render(root) {
    root.append(pageHead("Status"), h("p", { class: "card muted" }, "Not built yet."));
  },
};
