boca version
