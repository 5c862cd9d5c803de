// Placeholder until the SottoText target lands.
