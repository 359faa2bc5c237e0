REDIS_URL=redis://localhost:6379/0 uvicorn boca_app:app --workers 2 --port 8000
