from pathlib import Path

from jinja2.sandbox import SecurityError

from boca.templates import Templates

# Templates that your users write (themes, e-mail designs) run in the sandbox.
user_templates = Templates(Path(__file__).parent / "templates", sandboxed=True)


async def preview(source: str, **context: object) -> str:
    try:
        return await user_templates.render_string(source, **context)
    except SecurityError:
        return "This template tries to reach something it may not."
