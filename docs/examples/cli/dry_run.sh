boca new demo --with templates --dry-run
