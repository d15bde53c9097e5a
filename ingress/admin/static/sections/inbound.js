// Messages & events: a placeholder until its section is built.
import { h, pageHead } from "../app.js";

export default {
  id: "inbound",
  title: "Messages & events",
  group: "Inbound",
  render(root) {
    root.append(pageHead("Messages & events"), h("p", { class: "card muted" }, "Not built yet."));
  },
};
