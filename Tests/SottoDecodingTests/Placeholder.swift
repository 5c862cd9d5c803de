// Placeholder until SottoDecodingTests land.
