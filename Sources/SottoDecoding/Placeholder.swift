// Placeholder until the SottoDecoding target lands.
