"""Every option of StaticFiles, with its default."""

from pathlib import Path

from boca.static import StaticFiles

HERE = Path(__file__).parent

static = StaticFiles(
    [HERE / "public"],  # one directory or several, searched in order
    html=False,  # index.html for directories, 404.html for misses
    index="index.html",  # the file served for a directory in html mode
    fallback=None,  # e.g. "index.html" for single-page apps
    max_age=3600,  # Cache-Control: public, max-age=3600 (None: no header)
    precompressed=True,  # serve .br / .gz siblings to clients that accept them
    follow_symlinks=False,  # links leading outside the directory answer 404
    allow_dotfiles=False,  # .env, .git/... answer 404
    cache_max_file_size=512 * 1024,  # files up to 512 KiB are kept in memory...
    cache_budget=32 * 1024 * 1024,  # ...within 32 MiB in total
    check_interval=None,  # 1 s (0 in a debug Boca app): how often a cached file is re-checked
    path="/static",  # where app.use() mounts it, and what url() builds on
    manifest="boca-manifest.json",  # None: ignore manifests
    max_ranges=16,  # a Range header with more ranges gets the whole file
)
