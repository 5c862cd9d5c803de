// Placeholder until SottoModelTests land.
