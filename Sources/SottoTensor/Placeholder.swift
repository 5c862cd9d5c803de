// Placeholder until the SottoTensor target lands.
