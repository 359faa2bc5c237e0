boca new demo          # a project using boca-core only
cd demo
python -m pytest       # its tests pass straight away
boca run --reload      # serve it on http://127.0.0.1:8000
