import datetime as dt
import pathlib
import tempfile
from dataclasses import dataclass

from boca.core import App

app = App()
REPORT = pathlib.Path(tempfile.gettempdir()) / "boca-report.txt"
REPORT.write_text("quarterly numbers\n")


@dataclass
class Event:
    name: str
    at: dt.datetime


@app.route("/event")
async def event(req, res):
    res.headers["Cache-Control"] = "no-store"
    res.json = Event("launch", dt.datetime(2026, 11, 25, 12, 0))


@app.route("/login", methods=["POST"])
async def login(req, res):
    res.set_cookie("session", "s3cr3t", max_age=3600)  # HttpOnly, SameSite=Lax by default
    res.html = "<p>Welcome back!</p>"


@app.route("/report")
async def report(req, res):
    res.file(REPORT, attach=True, filename="Q3 report.txt")  # ETag, 304s and ranges included
