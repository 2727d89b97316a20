"""Assessment pages, by concern: `sheets` (questionnaire, on-site rating, history) and `reports`
(diagnosis reports, statistics, bulk import)."""
