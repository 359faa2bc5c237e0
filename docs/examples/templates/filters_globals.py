from decimal import Decimal
from pathlib import Path

from boca.templates import Templates

templates = Templates(Path(__file__).parent / "templates")
templates.context["site"] = "Shop"  # merged into every render, changeable at runtime


@templates.filter
def money(value: Decimal) -> str:
    return f"{value:,.2f} €"


@templates.filter("initials")
def make_initials(name: str) -> str:
    return "".join(part[0] for part in name.split()).upper()


@templates.global_
def now_year() -> int:
    return 2026


templates.globals["support_email"] = "help@example.com"


def render_items() -> str:
    # render_sync works where there is no event loop: scripts, workers, e-mails.
    items = [{"name": "Tea", "price": Decimal("3.5")}, {"name": "<Cake>", "price": Decimal("1200")}]
    return templates.render_sync("items.html", items=items)
