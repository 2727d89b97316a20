"""Assessment models come with the questionnaire (issue 3)."""
