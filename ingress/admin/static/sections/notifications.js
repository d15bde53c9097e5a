// Notifications: a placeholder until its section is built.
import { h, pageHead } from "../app.js";

export default {
  id: "notifications",
  title: "Notifications",
  group: "Messaging",
  render(root) {
    root.append(pageHead("Notifications"), h("p", { class: "card muted" }, "Not built yet."));
  },
};
