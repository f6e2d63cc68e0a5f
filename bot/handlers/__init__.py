"""Bot handlers, one module per feature; registered in ``bot.app.build_application``."""
