"""Thin aiogram 3 adapters: parse an update, call the core, render the replies."""
