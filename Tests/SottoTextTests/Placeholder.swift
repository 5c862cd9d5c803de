// Placeholder until SottoTextTests land.
