// Placeholder until SottoTensorTests land.
