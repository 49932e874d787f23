"""Settings, the domain vocabulary, text normalisation and the message catalogues."""
