import asyncio

from boca.core import App, server_event

app = App()


@app.route("/events")
async def events(req, res):
    first = int(req.last_event_id or 0) + 1  # the browser resumes where it stopped

    @res.event_stream(heartbeat=15)
    async def stream():
        yield server_event(retry=5000)  # reconnect after 5 s
        for n in range(first, first + 3):
            yield server_event(data=f"tick {n}\nof 3", event="tick", id=n)
            await asyncio.sleep(0.01)
        yield {"done": True}  # dicts and lists are sent as JSON data


@app.route("/page")
async def page(req, res):
    res.html = """<ul id="log"></ul>
<script>
  const source = new EventSource("/events");
  source.addEventListener("tick", (e) => {
    document.getElementById("log").insertAdjacentHTML("beforeend", `<li>${e.data}</li>`);
  });
  source.onmessage = (e) => { if (JSON.parse(e.data).done) source.close(); };
</script>"""
