// In-page pinyin keyboard (streamlit components v2). Letters are kept here, in the browser, so a
// key press shows at once instead of waiting for a Streamlit rerun; the typed letters go to
// Python as state `typed` = {b: letters, n: press counter} (the counter makes every press a
// change, even when the letters repeat an older value). Python answers with candidates for
// `data.for`; they are shown only while they match what is typed now. A picked candidate goes
// back as trigger `pick`; Python checks the font and answers with `data.reset` = {seq, buffer}
// (the letters left over), applied here without a reply. Backspace on empty letters sends trigger `backspace` (delete the last
// character of the line).
const ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function build(root) {
  const typed = el("div", "pyk-typed");
  typed.setAttribute("data-testid", "pinyin-typed");
  const cands = el("div", "pyk-cands");
  cands.setAttribute("data-testid", "pinyin-candidates");
  const keys = el("div", "pyk-keys");
  ROWS.forEach((row, r) => {
    const line = el("div", "pyk-row");
    for (const ch of row) {
      const b = el("button", "pyk-key", ch);
      b.type = "button";
      b.dataset.key = ch;
      line.appendChild(b);
    }
    if (r === 2) {
      const bs = el("button", "pyk-key pyk-wide", "⌫");
      bs.type = "button";
      bs.dataset.key = "Backspace";
      bs.setAttribute("aria-label", "backspace");
      line.appendChild(bs);
    }
    keys.appendChild(line);
  });
  const last = el("div", "pyk-row");
  const sep = el("button", "pyk-key pyk-wide", "'");
  sep.type = "button";
  sep.dataset.key = "'";
  const clr = el("button", "pyk-key pyk-clear", "");
  clr.type = "button";
  clr.dataset.key = "Clear";
  last.appendChild(sep);
  last.appendChild(clr);
  keys.appendChild(last);
  root.append(typed, cands, keys);
}

function send(root) {
  root.__n = (root.__n || 0) + 1;
  root.__api.setStateValue("typed", { b: root.__buf, n: root.__n });
}

function press(root, key) {
  if (key === "Backspace") {
    if (root.__buf) {
      root.__buf = root.__buf.slice(0, -1);
      send(root);
    } else {
      root.__api.setTriggerValue("backspace", Date.now() + Math.random());
    }
  } else if (key === "Clear") {
    root.__buf = "";
    send(root);
  } else if (root.__buf.length < 40) {
    if (key === "'" && (!root.__buf || root.__buf.endsWith("'"))) return;
    root.__buf += key;
    send(root);
  }
  root.__page = 0;
  render(root);
}

function render(root) {
  const data = root.__data || {};
  const labels = data.labels || {};
  const typed = root.querySelector(".pyk-typed");
  typed.textContent = root.__buf || "";
  typed.classList.toggle("pyk-empty", !root.__buf);
  if (!root.__buf) typed.textContent = labels.hint || "";
  root.querySelector(".pyk-clear").textContent = labels.clear || "clear";
  const box = root.querySelector(".pyk-cands");
  box.replaceChildren();
  if (!root.__buf) return;
  if (data.for !== root.__buf) {
    box.appendChild(el("span", "pyk-wait", "…"));
    return;
  }
  const all = data.cands || [];
  if (!all.length) {
    box.appendChild(el("span", "pyk-wait", labels.none || "—"));
    return;
  }
  const per = data.per_page || 10;
  const pages = Math.ceil(all.length / per);
  const page = Math.min(root.__page || 0, pages - 1);
  all.slice(page * per, page * per + per).forEach(([text, consumed, museum]) => {
    const b = el("button", museum ? "pyk-cand pyk-museum" : "pyk-cand", text);
    b.type = "button";
    b.dataset.cand = text;
    b.dataset.consumed = String(consumed);
    box.appendChild(b);
  });
  if (pages > 1) {
    const more = el("button", "pyk-more", page + 1 < pages ? "›" : "‹");
    more.type = "button";
    more.dataset.more = "1";
    more.setAttribute("aria-label", labels.more || "more");
    box.appendChild(more);
  }
}

export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  let root = parentElement.querySelector(".pyk");
  if (!root) {
    root = el("div", "pyk");
    // a remount (tab switch) starts from what Python last knew
    root.__buf = (data && data.buffer) || "";
    root.__seq = (data && data.reset && data.reset.seq) || 0;
    root.__n = Date.now();  // press counter: never repeats a value sent before a remount
    build(root);
    parentElement.appendChild(root);
    root.addEventListener("click", (e) => {
      const t = e.target.closest("button");
      if (!t) return;
      if (t.dataset.key) press(root, t.dataset.key);
      else if (t.dataset.more) {
        const per = (root.__data && root.__data.per_page) || 10;
        const pages = Math.ceil(((root.__data && root.__data.cands) || []).length / per);
        root.__page = ((root.__page || 0) + 1) % Math.max(1, pages);
        render(root);
      } else if (t.dataset.cand) {
        root.__api.setTriggerValue("pick", {
          text: t.dataset.cand, consumed: Number(t.dataset.consumed), buffer: root.__buf,
          at: Date.now() + Math.random(),
        });
      }
    });
  }
  root.__api = { setStateValue, setTriggerValue };
  root.__data = data || {};
  const reset = root.__data.reset;
  if (reset && reset.seq > root.__seq) {
    // Python accepted a pick: keep only the letters it did not use. No state is sent back:
    // Python already knows, and an extra rerun here would race the text step's line field
    // (its stale value would overwrite the line just extended). The press counter in `typed`
    // makes the next key a change even if the letters match what was last sent.
    root.__seq = reset.seq;
    root.__buf = reset.buffer || "";
    root.__page = 0;
  }
  render(root);
}
