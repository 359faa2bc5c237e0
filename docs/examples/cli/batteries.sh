boca new shop --with templates,static,middleware
cd shop
python -m pytest
boca routes
