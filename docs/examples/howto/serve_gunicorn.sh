gunicorn deploy_app:app -k uvicorn_worker.UvicornWorker -w 2 -b 127.0.0.1:8000 --graceful-timeout 30 --forwarded-allow-ips 127.0.0.1
