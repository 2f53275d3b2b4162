"""Write contracts: the command bodies the API and the importer both validate (docs/adr/019)."""
