// The page talks to the JSON API, and server-sent events keep every open page up to date.
const list = document.getElementById("items");
const form = document.getElementById("add");
const error = document.getElementById("error");
const empty = document.getElementById("empty");
const live = document.getElementById("live");
const template = document.getElementById("item-template");
const api = list.dataset.api;
// The page's CSRF token: sent back with every write, it shows the write comes from this page
// (another site can make the browser send a request, but cannot read the token).
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

function row(id) {
  return list.querySelector(`[data-id="${id}"]`);
}

// Show an item: update its row, or add one built from the page's <template>.
function show(item) {
  let li = row(item.id);
  if (!li) {
    li = template.content.firstElementChild.cloneNode(true);
    li.dataset.id = item.id;
    list.append(li);
  }
  li.classList.toggle("done", item.done);
  li.querySelector("input").checked = item.done;
  li.querySelector(".name").textContent = item.name; // text, never HTML
  empty.hidden = true;
}

function remove(id) {
  row(id)?.remove();
  empty.hidden = list.children.length > 0;
}

// Call the API; an error shows its `detail`: what was wrong with the input (422), or why the
// server refused (403, or 429 after too many writes).
async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json", "x-csrftoken": csrfToken },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json();
  error.hidden = response.ok;
  if (!response.ok) {
    // Validation errors list each problem with where it is: {"loc": ["body", "name"], "msg": ...}.
    const detail = data.detail ?? data.error;
    error.textContent = Array.isArray(detail)
      ? detail.map(({ loc, msg }) => [...loc.slice(1), msg].join(" ")).join("; ")
      : String(detail);
    return null;
  }
  return data ?? true;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const item = await call("POST", api, { name: form.elements.name.value });
  if (item) {
    show(item);
    form.reset();
  }
});

list.addEventListener("change", async (event) => {
  const li = event.target.closest(".item");
  const item = await call("PATCH", `${api}/${li.dataset.id}`, { done: event.target.checked });
  if (item) show(item);
  else event.target.checked = !event.target.checked; // refused: the box shows what is stored
});

list.addEventListener("click", async (event) => {
  if (!event.target.matches(".delete")) return;
  const id = event.target.closest(".item").dataset.id;
  if (await call("DELETE", `${api}/${id}`)) remove(id);
});

// Live updates. The stream starts with a snapshot of every item (again after a reconnect,
// so nothing is missed while offline), then sends each change as it happens.
const events = new EventSource(list.dataset.events);
events.addEventListener("snapshot", (event) => {
  const items = JSON.parse(event.data);
  list.replaceChildren();
  items.forEach(show);
  empty.hidden = items.length > 0;
  live.dataset.state = "live";
});
events.addEventListener("created", (event) => show(JSON.parse(event.data)));
events.addEventListener("updated", (event) => show(JSON.parse(event.data)));
events.addEventListener("deleted", (event) => remove(JSON.parse(event.data).id));
events.addEventListener("error", () => {
  live.dataset.state = "offline";
});
