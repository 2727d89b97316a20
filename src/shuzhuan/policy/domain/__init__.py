"""Policies as data, evaluated by one engine (no Django here): see `expr` for the expression language,
`parse` for the file format, `engine` for the single and batch evaluators."""
