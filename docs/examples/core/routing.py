import enum
import uuid

from boca.core import App, Converter, register_converter

app = App()


@app.route("/users/{user_id:int}", name="user")
async def user(req, res, user_id: int):
    res.json = {"id": user_id}


@app.route("/orders/{order_id:uuid}")
async def order(req, res, order_id: uuid.UUID):
    res.json = {"order": order_id}


@app.route("/files/{path:path}", name="file")
async def file(req, res, path: str):
    res.text = path


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


# Annotations convert path parameters, and parameters with a default
# are read from the query string: GET /paint/red?coats=2&glossy=yes
@app.route("/paint/{color}")
async def paint(req, res, color: Color, coats: int = 1, glossy: bool = False):
    res.json = {"color": color, "coats": coats, "glossy": glossy}


# A converter of your own: `{day:weekday}` matches only weekday names.
class WeekdayConverter(Converter[str]):
    regex = "(mon|tue|wed|thu|fri|sat|sun)"

    def convert(self, value: str) -> str:
        return value


register_converter("weekday", WeekdayConverter())


@app.route("/schedule/{day:weekday}")
async def schedule(req, res, day: str):
    res.json = {"day": day, "url": app.url_for("user", user_id=7, query={"tab": "orders"})}
