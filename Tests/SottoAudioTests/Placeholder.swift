// Placeholder until SottoAudioTests land.
