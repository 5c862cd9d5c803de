// Placeholder until SottoCLITests land.
