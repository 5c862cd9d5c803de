// Placeholder until SottoEvalTests land.
