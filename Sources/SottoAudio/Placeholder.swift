// Placeholder until the SottoAudio target lands.
