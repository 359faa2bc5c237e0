boca run deploy_app:app --host 127.0.0.1 --port 8000 --workers 2
