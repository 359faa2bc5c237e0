from boca.core import App, WebSocket

app = App()


@app.websocket_route("/echo", auto_accept=False, caught_close_codes=all)
async def echo(ws: WebSocket):
    async with ws:  # accepts; closes with 1000 at the end, 1011 on an error
        name = await ws.receive_text()  # Starlette's names work too
        await ws.send_json({"hello": name})
        async for data in ws:  # any close code ends the loop quietly: caught_close_codes=all
            await ws.send_bytes(data.encode())


@app.websocket_route("/sum", receive_type="json", send_type="text")
async def total(ws: WebSocket):
    numbers = await ws.receive()  # parsed JSON
    await ws.send(str(sum(numbers)))  # sent as text


@app.websocket_route("/raw", value_type="event")
async def raw(ws: WebSocket):
    event = await ws.receive()  # {"type": "websocket.receive", "text": ...}
    await ws.send({"type": "websocket.send", "text": event.get("text") or "binary"})
