import asyncio
from pathlib import Path

from boca.templates import Templates

templates = Templates(Path(__file__).parent / "templates", context={"site": "Boca"})


async def main() -> str:
    return await templates.render("index.html", title="Home", name="<Ada>")


if __name__ == "__main__":
    print(asyncio.run(main()))  # ... <p>Hello, &lt;Ada&gt;!</p> ...
