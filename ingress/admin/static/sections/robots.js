// Robots: a placeholder until its section is built.
import { h, pageHead } from "../app.js";

export default {
  id: "robots",
  title: "Robots",
  group: "Messaging",
  render(root) {
    root.append(pageHead("Robots"), h("p", { class: "card muted" }, "Not built yet."));
  },
};
