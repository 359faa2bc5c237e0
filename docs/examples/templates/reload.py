from pathlib import Path

from boca.templates import Templates

directory = Path(__file__).parent / "templates"

# Development: re-read a template when its file changes.
dev_templates = Templates(directory, auto_reload=True)

# Production (the default outside a Boca app): compile each template once and keep it.
prod_templates = Templates(directory)
