// Placeholder until the SottoEval target lands.
