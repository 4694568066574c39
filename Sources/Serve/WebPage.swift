/// The page served at `/`: a chat with the language model (streamed) and a predict form for
/// saved models. One self-contained HTML file: no CDN, no build step.
enum WebPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SwiftLearn server</title>
<link rel="icon" href="data:,">
<style>
body { font: 15px/1.45 system-ui, sans-serif; max-width: 820px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 2em; }
#log { border: 1px solid #ccc; border-radius: 6px; min-height: 8em; padding: .6em; white-space: pre-wrap; }
.user { color: #0b5394; } .assistant { color: #222; } .error { color: #b00; }
textarea, input, select { font: inherit; width: 100%; box-sizing: border-box; margin: .3em 0; }
button { font: inherit; padding: .3em 1.2em; }
#status { color: #666; font-size: .9em; }
pre { background: #f6f6f6; padding: .6em; overflow-x: auto; }
</style>
</head>
<body>
<h1>SwiftLearn server</h1>
<p id="status">loading…</p>
<section id="chat-section">
<h2>Chat</h2>
<div id="log" aria-live="polite"></div>
<form id="chat-form">
<textarea id="chat-input" rows="2" placeholder="Write a message"></textarea>
<label>API key (if the server needs one) <input id="api-key" type="password" autocomplete="off"></label>
<button type="submit" id="chat-send">Send</button>
</form>
</section>
<section id="predict-section">
<h2>Predict with a saved model</h2>
<form id="predict-form">
<select id="predict-model"></select>
<textarea id="predict-rows" rows="4" placeholder='{"columns": [...], "data": [[...]]}'></textarea>
<button type="submit" id="predict-send">Predict</button>
</form>
<pre id="predict-result"></pre>
</section>
<script>
"use strict";
const state = { llm: null, history: [], replies: 0 };
function headers() {
  const h = { "Content-Type": "application/json" };
  const key = document.getElementById("api-key").value;
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}
function line(cls, text) {
  const div = document.createElement("div");
  div.className = cls; div.textContent = text;
  document.getElementById("log").appendChild(div);
  return div;
}
async function init() {
  const health = await (await fetch("/health")).json();
  state.llm = health.llm;
  document.getElementById("status").textContent =
    "language model: " + (health.llm || "none") + " · embeddings: " + (health.embeddings || "none") + " · saved models: " + (health.models.join(", ") || "none");
  if (!health.llm) document.getElementById("chat-section").hidden = true;
  const select = document.getElementById("predict-model");
  for (const name of health.models) { const o = document.createElement("option"); o.value = o.textContent = name; select.appendChild(o); }
  if (health.models.length === 0) document.getElementById("predict-section").hidden = true;
  else await showSchema();
  select.addEventListener("change", showSchema);
}
async function showSchema() {
  const name = document.getElementById("predict-model").value;
  const info = await (await fetch("/v1/models/" + encodeURIComponent(name), { headers: headers() })).json();
  if (info.inputs) {
    const example = { columns: info.inputs.map(c => c.name), data: [info.inputs.map(c => c.type === "number" ? 0 : (c.categories || [""])[0])] };
    document.getElementById("predict-rows").value = JSON.stringify(example);
  }
}
document.getElementById("chat-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("chat-input");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  state.history.push({ role: "user", content: text });
  line("user", "you: " + text);
  const out = line("assistant", "");
  let reply = "";
  try {
    const response = await fetch("/v1/chat/completions", { method: "POST", headers: headers(),
      body: JSON.stringify({ model: state.llm, messages: state.history, stream: true, max_tokens: 256 }) });
    if (!response.ok) { const e = await response.json(); throw new Error(e.error.message); }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
        if (!event.startsWith("data: ")) continue;
        const data = event.slice(6);
        if (data === "[DONE]") continue;
        const chunk = JSON.parse(data);
        if (chunk.error) throw new Error(chunk.error.message);
        for (const choice of chunk.choices) { if (choice.delta.content) { reply += choice.delta.content; out.textContent = "assistant: " + reply; } }
      }
    }
    state.history.push({ role: "assistant", content: reply });
  } catch (error) {
    out.className = "error"; out.textContent = "error: " + error.message;
    state.history.pop();
  }
  document.body.dataset.replies = String(++state.replies);
});
document.getElementById("predict-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = document.getElementById("predict-model").value;
  const result = document.getElementById("predict-result");
  try {
    const response = await fetch("/v1/models/" + encodeURIComponent(name) + "/predict", { method: "POST", headers: headers(),
      body: document.getElementById("predict-rows").value });
    const body = await response.json();
    result.className = response.ok ? "" : "error";
    result.textContent = JSON.stringify(response.ok ? body : body.error, null, 2);
  } catch (error) {
    result.className = "error"; result.textContent = error.message;
  }
});
init().catch(error => { document.getElementById("status").textContent = "error: " + error.message; });
</script>
</body>
</html>
"""#
}
