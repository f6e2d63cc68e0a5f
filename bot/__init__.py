"""The Telegram bot for volunteers: a thin layer over ``stations.services``."""
