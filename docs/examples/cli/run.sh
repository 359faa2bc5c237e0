boca run                               # the project's app, on 127.0.0.1:8000
boca run demo.app:app --port 9000      # an app named explicitly
boca run demo.app --workers 4          # the attribute defaults to `app`
boca run --host 0.0.0.0 --port 8080    # listen on every interface
