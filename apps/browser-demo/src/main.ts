import { classic } from "./classic.js";
import { save, saveLog, stored } from "./todos.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const page = new URLSearchParams(location.search).get("page") ?? "page";
const draft: string[] = [];

const list = (id: string, items: string[]) =>
  $(id).replaceChildren(...items.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
const status = (text: string, error = false) =>
  Object.assign($("status"), { textContent: text, className: error ? "error" : "" });
const refresh = async () => list("stored", await stored());

$("add").addEventListener("submit", (event) => {
  event.preventDefault();
  draft.push($<HTMLInputElement>("text").value);
  $<HTMLInputElement>("text").value = "";
  list("draft", draft);
});

async function saveDraft(options: Parameters<typeof save>[2] = {}): Promise<void> {
  status("saving…");
  try {
    await save(page, draft, options);
    status(`saved ${draft.length} items`);
  } catch (error) {
    status(`The save failed and nothing was changed: ${(error as Error).message}`, true);
  }
  await refresh();
}
$("save").addEventListener("click", () => void saveDraft());
$("save-fail").addEventListener("click", () => void saveDraft({ fail: true }));

// Hooks for the automated check (test/page.test.ts), which drives two pages at once.
Object.assign(window, { demo: { saveDraft, stored, saveLog } });

const say = (line: string) => {
  console.log(line);
  $("classic").textContent += `${line}\n`;
};
await classic(say);
await refresh();
document.body.dataset.ready = "true";
