"""Benchmark: build the OpenAPI document of a typed Boca app with 1,000 routes.

Each route has a path parameter with a constraint, two query parameters and a header; every
other route takes a JSON body; there are 50 distinct models (nested, generic) so
`components/schemas` is realistic. Reports the median time of `OpenAPI.document(app)` over the
rounds, and of `app.describe_routes()` alone (boca-core's share).

    python benchmarks/openapi_build.py [--routes 1000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass, field, make_dataclass
from typing import Annotated, Any, Generic, TypeVar

from annotated_types import Ge, Gt, Le, MaxLen

from boca.core import App, Header
from boca.openapi import OpenAPI

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    next: str | None = None


@dataclass
class Author:
    name: Annotated[str, MaxLen(100)]
    email: str | None = None


def make_models(count: int) -> list[type]:
    return [
        make_dataclass(
            f"Model{i}",
            [
                ("id", int),
                ("title", Annotated[str, MaxLen(200)]),
                ("tags", list[str], field(default_factory=list)),
                ("author", Author | None, None),
            ],
            namespace={"__module__": __name__},
        )
        for i in range(count)
    ]


def make_app(routes: int, models: list[type]) -> App:
    app = App()
    for i in range(routes):
        model = models[i % len(models)]
        if i % 2:

            async def view(req: Any, res: Any, item_id: Annotated[int, Gt(0)], item: Any) -> Any:
                return item

            view.__annotations__["item"] = view.__annotations__["return"] = model
            app.post(f"/r{i}/{{item_id}}", name=f"create_{i}", tags=[f"t{i % 10}"])(view)
        else:

            async def view(  # type: ignore[misc]
                req: Any,
                res: Any,
                item_id: Annotated[int, Gt(0)],
                limit: Annotated[int, Ge(1), Le(100)] = 10,
                q: str | None = None,
                x_trace: Annotated[str | None, Header()] = None,
            ) -> Any:
                return None

            view.__annotations__["return"] = Page[model]  # type: ignore[valid-type]
            app.get(f"/r{i}/{{item_id}}", name=f"list_{i}", tags=[f"t{i % 10}"])(view)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    app = make_app(args.routes, make_models(50))
    battery = OpenAPI(title="Bench", version="1")
    app.use(battery)
    describe, build = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        app.describe_routes()
        describe.append(time.perf_counter() - start)
        start = time.perf_counter()
        document = battery.document(app)
        build.append(time.perf_counter() - start)
    paths = len(document["paths"])
    schemas = len(document["components"]["schemas"])
    print(f"{args.routes} routes -> {paths} paths, {schemas} schemas")
    print(f"describe_routes():   median {statistics.median(describe) * 1000:7.1f} ms")
    print(f"OpenAPI.document():  median {statistics.median(build) * 1000:7.1f} ms (all included)")


if __name__ == "__main__":
    main()
