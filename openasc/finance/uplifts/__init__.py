"""Rate uplifts (docs/uplifts-and-spend.md): a change of rates from a date for the services in scope, previewed and
applied by one calculation (`calc.preview`), so what applying does is exactly what the preview said."""
