// Placeholder until the SottoModel target lands.
