from boca.middleware import from_settings

settings = {
    "ALLOWED_HOSTS": ["example.com", "*.example.com"],
    "HSTS": True,
    "CORS": {"allow_origins": ["https://app.example.com"]},
    "SESSIONS": True,
    "SECRET_KEY": "change-me",
    "GZIP": True,
    "GZIP_MIN_SIZE": 1024,
}

batteries = from_settings(settings)
