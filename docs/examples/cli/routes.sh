boca new demo --no-input
cd demo
boca routes
