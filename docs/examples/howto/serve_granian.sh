granian --interface asgi --host 127.0.0.1 --port 8000 --workers 2 deploy_app:app
